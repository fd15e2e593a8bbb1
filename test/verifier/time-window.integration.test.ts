import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();
const HOUR = 3_600_000;
const create = (ms: number) => oa(ms, 'Creating NEW angel adapter for user rajandran', 'INFO', 'broker_factory');

/** A burst of 3 creations at 09:45:00–02, a traceback under the last, and a quiet line 3 h later. */
const LINES = [create(0), create(1000), create(2000), 'Traceback (most recent call last):', 'ValueError: boom', oa(3 * HOUR, 'Connected to Angel WebSocket')];

async function verify(...extra: string[]): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  const log = await tmp.file('app.log', `${LINES.join('\n')}\n`);
  const { code, stdout, stderr } = await stormcheck(['verify', log, '--reporter', 'json', ...extra]);
  return { code, report: JSON.parse(stdout || '{}') as VerifyReport, stderr };
}

describe('verify --since / --until', () => {
  it('a duration counts back from the newest line; the lines left out are counted as skipped', async () => {
    expect((await verify()).code).toBe(1);
    const { code, report } = await verify('--since', '2h');
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.window).toEqual({ since: '2025-11-11T10:45:00.000Z', linesOutside: 5 });
    expect(report.inputs[0]!.outsideWindow).toBe(5);
  });

  it('an ISO time bounds the window as written, read like the log\'s naive times', async () => {
    const { code, report } = await verify('--until', '2025-11-11T09:45:00.5');
    expect(code).toBe(0);
    expect(report.window).toEqual({ until: '2025-11-11T09:45:00.500Z', linesOutside: 5 });
    const inside = await verify('--since', '2025-11-11', '--until', '2025-11-11T09:46');
    expect(inside.code).toBe(1);
    expect(inside.report.window!.linesOutside).toBe(1);
  });

  it('a value that is neither is a usage error; a duration on stdin cannot count back and exits 2', async () => {
    const bad = await verify('--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since yesterday is neither an ISO time');
    const stdin = await stormcheck(['verify', '-', '--since', '2h'], { stdin: `${LINES.join('\n')}\n` });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('stdin cannot show ahead');
  });
});
