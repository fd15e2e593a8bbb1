import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { scrapeUntil, startAlarmProcess } from '../support/alarm-process.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

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
  const { child, url, exited } = await startAlarmProcess(['verify', log, '--config', config, '--follow', '--metrics', '127.0.0.1:0', '--reporter', 'json']);
  try {
    const metrics = await scrapeUntil(url, (t) => new RegExp(`^stormcheck_lines_read_total ${lines}$`, 'm').test(t));
    child.kill('SIGINT');
    return { metrics, code: await exited };
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
