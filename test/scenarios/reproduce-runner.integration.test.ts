import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

/** Real servers and spawned CLIs on a shared 2-core machine: generous, never a timing assertion. */
const SLOW_MS = 60_000;

describe('stormcheck reproduce', () => {
  it('CLI --json --mode singleton: one JSON document with schemaVersion, exit 0 when the expectations hold', async () => {
    const { code, stdout, stderr } = await stormcheck(['reproduce', '--json', '--mode', 'singleton', '--clients', '6', '--duration', '4s']);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { schemaVersion: number; pass: boolean; options: { timeScale: number }; modes: { mode: string; broker: { gatewayPeak: number } }[] };
    expect(report.schemaVersion).toBe(1);
    expect(report.options.timeScale).toBe(0.03);
    expect(report.modes.map((m) => m.mode)).toEqual(['singleton']);
    expect(report.modes[0].broker.gatewayPeak).toBe(1);
    expect(report.pass).toBe(true);
    expect(code).toBe(0);
  }, SLOW_MS);

  it('CLI exits 1 and names the expectation when legacy-2025 traffic is too gentle to storm', async () => {
    const { code, stdout } = await stormcheck(['reproduce', '--mode', 'legacy', '--clients', '1', '--scenario', 'burst', '--duration', '2s']);
    expect(stdout).toMatch(/^\s+legacy-2025$/m);
    expect(stdout).toContain('FAIL legacy-2025 storms');
    expect(code).toBe(1);
  }, SLOW_MS);
});
