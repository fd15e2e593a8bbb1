import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../bin/stormcheck.js', import.meta.url).pathname;

/** Runs the real CLI as a user would; resolves with its exit code and output whatever the code. */
export async function stormcheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('stormcheck CLI', () => {
  it('--help lists the five subcommands and exits 0', async () => {
    const { code, stdout } = await stormcheck(['--help']);
    expect(code).toBe(0);
    for (const cmd of ['mock-broker', 'gateway', 'verify', 'reproduce', 'probe']) expect(stdout).toContain(cmd);
  });

  it('an unknown command exits 2 with one line on stderr', async () => {
    const { code, stderr } = await stormcheck(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
