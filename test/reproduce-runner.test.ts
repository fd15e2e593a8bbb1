import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReproduce } from '../verifier/scenario/reproduce.ts';
import { renderReproduceTable } from '../verifier/scenario/reproduce-table.ts';
import { stormcheck } from './run-stormcheck.ts';
import { stormcheckInProcess } from './run-cli-in-process.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function logDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcheck-reproduce-test-'));
  dirs.push(dir);
  return dir;
}

/** Real servers and spawned CLIs on a shared 2-core machine: generous, never a timing assertion. */
const SLOW_MS = 60_000;

describe('stormcheck reproduce', () => {
  it('in-process: legacy shows the storm, singleton stays on one connection and feeds every client', async () => {
    const progress: string[] = [];
    const dir = await logDir();
    const report = await runReproduce({
      clients: 6,
      durationMs: 4000,
      seed: 1,
      limit: 2,
      modes: ['legacy', 'singleton'],
      scenario: 'all',
      logDir: dir,
      onProgress: (line) => progress.push(line),
    });

    const [legacy, singleton] = report.modes;
    expect(report.modes.map((m) => m.mode)).toEqual(['legacy', 'singleton']);
    expect(legacy.broker.rejected429 > 0 || legacy.broker.peakConnections > 1 || legacy.verifier.errors > 0).toBe(true);
    expect(legacy.gateway.adaptersCreated).toBeGreaterThan(1);
    expect(singleton.broker.peakConnections).toBe(1);
    expect(singleton.broker.rejected429).toBe(0);
    expect(singleton.verifier.errors).toBe(0);
    expect(singleton.gateway.adaptersCreated).toBe(1);
    expect(singleton.clients.withoutData).toEqual([]);
    expect(singleton.clients.ticksDelivered).toBeGreaterThan(0);
    expect(singleton.brokerDrops).toEqual([expect.objectContaining({ done: true })]);
    expect(report.pass).toBe(true);
    expect(progress).toHaveLength(4);
    expect(progress[3]).toMatch(/^singleton: peak 1, 0 × 429, 1 adapter\(s\) created$/);

    const singletonLog = await readFile(join(dir, 'gateway-singleton.log'), 'utf8');
    expect(singletonLog).toContain('Creating NEW angel adapter for user incident-app');
    expect(singletonLog).not.toContain('stormcheck-reproduce');

    const table = renderReproduceTable(report);
    expect(table).toMatch(/^\s+legacy\s+singleton$/m);
    expect(table).toMatch(/^peak upstream connections\s+\d+\s+1$/m);
    expect(table).toMatch(/^429 Connection Limit Exceeded\s+\d+\s+0$/m);
    expect(table).toMatch(/^clients that ended without data\s+\d+ of 6\s+0 of 6$/m);
    expect(table).toContain('PASS:');
  }, SLOW_MS);

  it('CLI --json: one JSON document with schemaVersion, exit 0 when the expectations hold', async () => {
    const { code, stdout, stderr } = await stormcheck(['reproduce', '--json', '--clients', '6', '--duration', '4s']);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { schemaVersion: number; pass: boolean; modes: { mode: string; broker: { peakConnections: number } }[] };
    expect(report.schemaVersion).toBe(1);
    expect(report.modes.map((m) => m.mode)).toEqual(['legacy', 'singleton']);
    expect(report.modes[1].broker.peakConnections).toBe(1);
    expect(report.pass).toBe(true);
    expect(code).toBe(0);
  }, SLOW_MS);

  it('CLI exits 1 and names the expectation when legacy traffic is too gentle to storm', async () => {
    const { code, stdout } = await stormcheck(['reproduce', '--mode', 'legacy', '--clients', '1', '--scenario', 'burst', '--duration', '2s']);
    expect(stdout).toContain('FAIL legacy shows the storm');
    expect(stdout).toContain('the storm did not appear');
    expect(code).toBe(1);
  }, SLOW_MS);

  it('bad options exit 2 with one line naming the option', async () => {
    const clients = await stormcheckInProcess(['reproduce', '--clients', '0']);
    expect(clients.code).toBe(2);
    expect(clients.stderr.trim()).toMatch(/^stormcheck: --clients must be a whole number/);
    const duration = await stormcheckInProcess(['reproduce', '--duration', 'soon']);
    expect(duration.code).toBe(2);
    expect(duration.stderr.trim().split('\n')).toHaveLength(1);
    expect(duration.stderr).toContain('--duration');
  }, SLOW_MS);
});
