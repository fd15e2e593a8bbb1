import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

const FIXTURE = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;

// mkdir({ recursive: true }) of a folder under /proc spins a libuv thread for ever on Linux.
describe.runIf(existsSync('/proc/self'))('a file or folder that cannot be created under /proc is one line and exit 2, not a spin', () => {
  it.each([
    [['reproduce', '--html', '/proc/nope/x.html'], '--html /proc/nope/x.html'],
    [['reproduce', '--log-dir', '/proc/nope/logs'], '--log-dir /proc/nope/logs'],
    [['verify', FIXTURE, '--reporter', 'json', '--output', '/proc/nope/x.json'], '--reporter json=/proc/nope/x.json'],
  ])('stormcheck %j names %s', async (args, named) => {
    const result = await stormcheck(args, { killAfterMs: 10_000 });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(named)]);
    expect(result.stderr).toContain('ENOENT');
  });
});
