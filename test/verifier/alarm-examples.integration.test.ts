import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlarmMetrics } from '../../verifier/alarm/alarm-metrics.ts';
import { AlarmWindow } from '../../verifier/alarm/alarm-window.ts';
import { DEFAULT_OPTIONS } from '../../verifier/verify.ts';
import { oa, STORMCHECK_BIN, tempDirPerTest } from '../support/run-stormcheck.ts';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const RULES = `${EXAMPLES}prometheus/stormcheck-alerts.yml`;
const COMMANDS = ['systemd/stormcheck-alarm.service', 'systemd/stormcheck-alarm-docker.service', 'container/stormcheck-alarm.sh'];

const hasPromtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const tmp = tempDirPerTest();

describe('examples/ for the verify --follow --metrics alarm', () => {
  it.skipIf(!hasPromtool)('the Prometheus alerting rules pass their promtool unit tests', () => {
    const out = execFileSync('promtool', ['test', 'rules', 'stormcheck-alerts.test.yml'], { cwd: `${EXAMPLES}prometheus`, encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });

  it('every stormcheck_ metric the alerting rules use is one the alarm serves', async () => {
    const used = new Set(readFileSync(RULES, 'utf8').match(/stormcheck_[a-z_]+/g));
    const served = await new AlarmMetrics(new AlarmWindow(DEFAULT_OPTIONS, {}, 60_000), 'error').registry.metrics();
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(served, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });

  it.each(COMMANDS)('the stormcheck command of %s starts the alarm as written', async (example) => {
    const m = /exec stormcheck verify ("[^"]+"|\S+) (.*?)['"]?$/m.exec(readFileSync(`${EXAMPLES}${example}`, 'utf8'));
    expect(m, 'an `exec stormcheck verify …` line').not.toBeNull();
    const [, input, rest] = m!;
    const log = await tmp.file('openalgo.log', `${oa(0, 'Connected to Angel WebSocket')}\n`);
    // The example's own options, on a free port of the loopback and a test log in place of OpenAlgo's.
    const args = rest.trim().split(/\s+/).map((a, i, all) => (all[i - 1] === '--metrics' ? '127.0.0.1:0' : a));
    const child = spawn(process.execPath, [STORMCHECK_BIN, 'verify', input === '-' ? '-' : log, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (input === '-') child.stdin.write(readFileSync(log));
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('alarm on http://127.0.0.1:')) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code, stderr).toBe(0);
  });
});
