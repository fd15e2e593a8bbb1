import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { FAULT_PLAN_VERSION, parseFaultPlanText } from '../../mock-broker/index.ts';
import { mutantRig } from '../support/mutants/mutant-rig.ts';
import { waitFor } from '../support/mock-broker-client.ts';
import { probeTempDir } from '../support/probe-rig.ts';
import { startStormcheck, stormcheck } from '../support/run-stormcheck.ts';

/** Real servers and a spawned CLI searching for its budget on a shared 2-core machine: never a timing assertion. */
const SLOW_MS = 180_000;
/** OpenAlgo 2026-08's delays at a tenth: its SDK sleeps 1 s before a retry, above the probe's 0.5 s back-off floor. */
const LEGACY_TIME_SCALE = 0.1;

describe('stormcheck probe --explore and --replay against an in-process deployment', () => {
  it('finds legacy-2026 failing, shrinks it, saves a replay that fails again', async ({ onTestFinished }) => {
    const { broker, gateway } = await mutantRig(onTestFinished, 'legacy-2026', { legacyTimeScale: LEGACY_TIME_SCALE });
    const dir = await probeTempDir(onTestFinished);
    const save = path.join(dir, 'replay.json');
    const html = path.join(dir, 'explore.html');
    const common = [gateway.url, '--api-key', DEMO_USER.apiKey, '--broker-admin', broker.adminUrl];

    const explored = await stormcheck(['probe', ...common, '--explore', '--budget', '40s', '--seed', '5', '--save', save, '--json', '--html', html]);

    expect(explored.code).toBe(1);
    const report = JSON.parse(explored.stdout) as {
      schemaVersion: number;
      mode: string;
      verdict: string;
      replayFile: string;
      timing: { clientCode: string; reconnectMs: number };
      failure: { summary: string; steps: string[]; minimalSteps: number; firstFailingSteps: number; violations: { kind: string }[] };
    };
    expect(report).toMatchObject({ schemaVersion: 1, mode: 'explore', verdict: 'fail', replayFile: save, timing: { clientCode: DEMO_USER.clientCode } });
    expect(report.failure.summary).toMatch(/→ .+ later$/);
    expect(report.failure.minimalSteps).toBeLessThanOrEqual(report.failure.firstFailingSteps);
    const saved = parseFaultPlanText(await readFile(save, 'utf8'));
    expect(saved.ok).toBe(true);
    // The page draws the minimal sequence's broker timeline under the failure in words.
    expect(await readFile(html, 'utf8')).toContain(report.failure.summary.slice(0, 20));

    // The issue asks for 8 of 10; three runs all passing would be about 1 in 100 at that rate.
    const replayed = await stormcheck(['probe', ...common, '--replay', save, '--times', '3']);

    expect(replayed.stdout).toMatch(/verdict: FAIL — [123] of 3 replays fail/);
    expect(replayed.code).toBe(1);
  }, SLOW_MS);

  it('against the singleton, exits 0 saying how many sequences ran and what they covered', async ({ onTestFinished }) => {
    const { broker, gateway } = await mutantRig(onTestFinished, 'singleton');
    const dir = await probeTempDir(onTestFinished);

    const { code, stdout } = await stormcheck(
      ['probe', gateway.url, '--api-key', DEMO_USER.apiKey, '--broker-admin', broker.adminUrl, '--explore', '--budget', '20s', '--seed', '3'],
      { cwd: dir },
    );

    expect(stdout).toMatch(/verdict: PASS — no failure in \d+ sequences/);
    expect(stdout).toContain('client set empties during a retry sleep');
    expect(code).toBe(0);
  }, SLOW_MS);

  it.each([
    [['--times', '3'], '--times needs --replay FILE'],
    [['--budget', '1m'], '--budget needs --explore'],
    [['--explore', '--replay', 'x.json'], '--explore and --replay do not go together'],
    [['--explore', '--budget', '5s', '--broker-admin', 'http://127.0.0.1:9'], '--budget must be a duration from 10s to 1h'],
    [['--explore'], '--explore needs --broker-admin URL'],
    [['--explore', '--save', '/nonexistent-folder/r.json', '--broker-admin', 'http://127.0.0.1:9'], 'cannot write the replay file /nonexistent-folder/r.json (ENOENT)'],
    [['--replay', 'missing.json', '--broker-admin', 'http://127.0.0.1:9'], 'cannot read the replay file missing.json: ENOENT'],
  ])('%j is a usage error: exit 2 and one line, nothing run', async (args, message) => {
    const { code, stdout, stderr } = await stormcheck(['probe', 'ws://127.0.0.1:9', '--api-key', 'k', ...args]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });
});

describe('probe --explore and --replay stop on SIGINT and SIGTERM with their partial result', () => {
  it('--explore interrupted while shrinking: one line, the failure so far with its replay file, its faults ended, exit 130', async ({ onTestFinished }) => {
    const { broker, gateway } = await mutantRig(onTestFinished, 'legacy-2026', { legacyTimeScale: LEGACY_TIME_SCALE });
    const save = path.join(await probeTempDir(onTestFinished), 'replay.json');
    const common = [gateway.url, '--api-key', DEMO_USER.apiKey, '--broker-admin', broker.adminUrl];
    const cli = startStormcheck(['probe', ...common, '--explore', '--budget', '3m', '--seed', '11', '--save', save, '--json'], { timeoutMs: SLOW_MS });
    // The first failing sequence is saved as soon as it is found; shrinking runs on after it.
    await waitFor(() => existsSync(save), 'the first failure to be saved', SLOW_MS);
    cli.child.kill('SIGINT');

    expect(await cli.exited).toBe(130);
    expect(cli.out.stderr).toMatch(/^stormcheck probe --explore: interrupted by SIGINT while shrinking a failure \(\d+ shrinking runs?\); partial result on stdout\n$/);
    const partial = JSON.parse(cli.out.stdout) as {
      verdict: string;
      interrupted: string;
      sequences: number;
      mechanisms: Record<string, number>;
      replayFile: string;
      failure: { steps: string[]; plan: unknown; shrinkInterrupted: boolean };
    };
    expect(partial).toMatchObject({ verdict: 'interrupted', interrupted: 'SIGINT', replayFile: save, failure: { shrinkInterrupted: true } });
    expect(partial.sequences).toBeGreaterThan(0);
    expect(Object.values(partial.mechanisms).some((n) => n > 0)).toBe(true);
    expect(partial.failure.steps.length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(save, 'utf8'))).toEqual(partial.failure.plan);
    expect(broker.activeFaults()).toEqual([]);
  }, SLOW_MS);

  it('--replay interrupted between runs: one line, the runs so far, exit 143', async ({ onTestFinished }) => {
    const { broker, gateway } = await mutantRig(onTestFinished, 'singleton');
    const file = path.join(await probeTempDir(onTestFinished), 'replay.json');
    const plan = {
      version: FAULT_PLAN_VERSION,
      clientActions: [
        { atMs: 0, action: 'connect', client: 0 },
        { atMs: 0, action: 'authenticate', client: 0 },
        { atMs: 0, action: 'subscribe', client: 0, symbols: [{ symbol: 'SBIN', exchange: 'NSE' }], mode: 1 },
        { atMs: 300, action: 'end', watchMs: 500 },
      ],
      faults: [{ atMs: 100, after: 'start', fault: { type: 'stall', ms: 60_000 } }],
    };
    await writeFile(file, JSON.stringify(plan));
    const cli = startStormcheck(['probe', gateway.url, '--api-key', DEMO_USER.apiKey, '--broker-admin', broker.adminUrl, '--replay', file, '--times', '100'], { timeoutMs: SLOW_MS });
    // A replay's minute-long stall is active: the interrupted run must still end it.
    await waitFor(() => broker.stats().accepted > 0 && broker.activeFaults().length > 0, 'a replay to stall the broker', SLOW_MS);
    cli.child.kill('SIGTERM');

    expect(await cli.exited).toBe(143);
    expect(cli.out.stderr).toMatch(/^stormcheck probe --replay: interrupted by SIGTERM (before the first replay finished|after \d+ of 100 replays); partial result on stdout\n$/);
    expect(cli.out.stdout).toMatch(/^verdict: INTERRUPTED by SIGTERM after \d+ of 100 runs, no verdict — \d+ of \d+ replays? fails?$/m);
    expect(broker.activeFaults()).toEqual([]);
  }, SLOW_MS);
});
