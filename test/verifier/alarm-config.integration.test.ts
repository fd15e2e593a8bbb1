import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { STORMCHECK_BIN, tempDirPerTest } from '../support/run-stormcheck.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;
const STORM_SERIES = /^stormcheck_findings\{rule="connect-storm",severity="(\w+)",user="",broker="angel"\} (\d+)$/m;

const tmp = tempDirPerTest();

/**
 * Follows the incident log (a connect-storm error by default) with the alarm under a config file's
 * `rules`, waits until the alarm has read every line, and returns its scrape and the gate's exit code.
 */
async function alarmUnder(rules: Record<string, unknown>): Promise<{ metrics: string; code: number }> {
  const lines = (await readFile(INCIDENT, 'utf8')).split('\n').filter(Boolean).length;
  const log = await tmp.file('app.log', await readFile(INCIDENT, 'utf8'));
  const config = await tmp.file('stormcheck.config.json', JSON.stringify({ rules }));
  const child = spawn(process.execPath, [STORMCHECK_BIN, 'verify', log, '--config', config, '--follow', '--metrics', '127.0.0.1:0', '--reporter', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  let stderr = '';
  const url = await new Promise<string>((resolve) =>
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /alarm on (http:\/\/\S+\/metrics)/.exec(stderr);
      if (m) resolve(m[1]);
    }),
  );
  try {
    for (;;) {
      const metrics = await (await fetch(url)).text();
      if (new RegExp(`^stormcheck_lines_read_total ${lines}$`, 'm').test(metrics)) return { metrics, code: await (child.kill('SIGINT'), exited) };
      await sleep(100);
    }
  } finally {
    child.kill('SIGINT');
  }
}

describe('verify --follow --metrics honours the config file per rule, as the gate does (issue 21)', () => {
  it('raises the alarm as the gate fails without a config for the rule', async () => {
    const { metrics, code } = await alarmUnder({});
    expect(STORM_SERIES.exec(metrics)?.[1]).toBe('error');
    expect(metrics).toMatch(/^stormcheck_verdict 1$/m);
    expect(code).toBe(1);
  });

  it('reports a re-graded rule at its severity from the file, and the verdict follows it', async () => {
    const { metrics, code } = await alarmUnder({ 'connect-storm': 'warning' });
    expect(STORM_SERIES.exec(metrics)?.slice(1)).toEqual(['warning', expect.stringMatching(/^[1-9]\d*$/)]);
    expect(metrics).toMatch(/^stormcheck_verdict 0$/m);
    expect(code).toBe(0);
  });

  it('leaves a rule switched off out, and judges a rule with its own thresholds from the file', async () => {
    for (const rules of [{ 'connect-storm': 'off' }, { 'connect-storm': { thresholds: { storm: 100 } } }]) {
      const { metrics, code } = await alarmUnder(rules);
      expect(metrics, JSON.stringify(rules)).not.toMatch(/rule="connect-storm"/);
      expect(metrics).toMatch(/^stormcheck_verdict 0$/m);
      expect(code).toBe(0);
    }
  });
});
