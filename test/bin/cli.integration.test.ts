import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

describe('stormcheck CLI', () => {
  it('--help lists the seven subcommands and exits 0', async () => {
    const { code, stdout } = await stormcheck(['--help']);
    expect(code).toBe(0);
    for (const cmd of ['mock-broker', 'fault', 'gateway', 'verify', 'rules', 'reproduce', 'probe']) expect(stdout).toContain(cmd);
  });

  it('an unknown command exits 2 with one line on stderr', async () => {
    const { code, stderr } = await stormcheck(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
