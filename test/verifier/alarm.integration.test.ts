import { spawn } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { oa, STORMCHECK_BIN, tempDirPerTest } from '../support/run-stormcheck.ts';
import { scrapeUntil, startAlarmProcess } from '../support/alarm-process.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;
const STORM_SERIES = /^stormcheck_findings\{rule="connect-storm",severity="error",user="",broker="angel"\} (\d+)$/m;

const tmp = tempDirPerTest();

describe('stormcheck verify --follow --metrics: the production alarm', () => {
  it('a storm written to the log raises stormcheck_findings{rule="connect-storm"}, which returns to 0 once the window has passed', async () => {
    const log = await tmp.file('app.log', `${oa(0, 'Creating adapter for broker: angel')}\n${oa(300, 'Connected to Angel WebSocket')}\n`);
    const { child, url, stdout, exited } = await startAlarmProcess(['verify', log, '--follow', '--metrics', '127.0.0.1:0', '--window-for-alarm', '2s', '--reporter', 'json']);
    try {
      const before = await scrapeUntil(url, (t) => /^stormcheck_lines_read_total 2$/m.test(t));
      expect(before).toMatch(/^stormcheck_verdict 0$/m);
      expect(before).toMatch(/^stormcheck_build_info\{version="[^"]+",node="v\d+[^"]*"\} 1$/m);
      expect(before).toMatch(/^stormcheck_last_line_timestamp_seconds \d+/m);
      const health = await fetch(url.replace('/metrics', '/health'));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', following: log });

      await appendFile(log, await readFile(INCIDENT));
      const raised = await scrapeUntil(url, (t) => Number(STORM_SERIES.exec(t)?.[1] ?? 0) > 0);
      expect(raised).toMatch(/^stormcheck_verdict 1$/m);
      const cleared = await scrapeUntil(url, (t) => STORM_SERIES.exec(t)?.[1] === '0');
      expect(cleared).toMatch(/^stormcheck_verdict 0$/m);
    } finally {
      child.kill('SIGINT');
    }
    // The gate's own report still judges everything read.
    expect(await exited).toBe(1);
    expect((JSON.parse(stdout()) as VerifyReport).findings).toContainEqual(expect.objectContaining({ rule: 'connect-storm' }));
  });

  it.each([
    [['--metrics', '9464'], '--metrics serves the alarm of a followed log; add --follow'],
    [['--follow', '--window-for-alarm', '5m'], '--window-for-alarm is the window of the --metrics alarm'],
    [['--follow', '--metrics', 'localhost:99999'], '--metrics must be a whole number from 0 to 65535'],
    [['--follow', '--metrics', '0', '--window-for-alarm', '5'], '--window-for-alarm 5 needs a unit'],
  ])('%j is a usage error', async (args, message) => {
    const log = await tmp.file('app.log', `${oa(0, 'Connected to Angel WebSocket')}\n`);
    const child = spawn(process.execPath, [STORMCHECK_BIN, 'verify', log, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
