import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { probeRig } from '../support/probe-rig.ts';
import { stormcheck } from '../support/run-stormcheck.ts';

/** Real servers and spawned CLIs on a shared 2-core machine: generous, never a timing assertion. */
const SLOW_MS = 60_000;

describe('stormcheck probe against the reference gateway and the mock broker', () => {
  it('CLI --json against singleton with --broker-admin only: exit 0, schemaVersion, broker drops caused', async ({ onTestFinished }) => {
    const { broker, gateway } = await probeRig(onTestFinished, 'singleton');
    const args = ['probe', gateway.url, '--api-key', DEMO_USER.apiKey, '--clients', '6', '--duration', '4s', '--scenario', 'reconnect'];
    const { code, stdout } = await stormcheck([...args, '--broker-admin', broker.adminUrl, '--json']);
    const report = JSON.parse(stdout) as {
      schemaVersion: number;
      verdict: string;
      brokerDrops: { done: boolean; detail: string; affectedByClientCode?: Record<string, number> }[];
      couldNotCheck: string[];
    };
    expect(report.schemaVersion).toBe(1);
    expect(report.verdict).toBe('pass');
    expect(report.brokerDrops).toHaveLength(2);
    // A drop is done only when it ended one of the target's upstream connections; the second may land
    // while the gateway is still backing off from the first, and then it honestly tested nothing.
    expect(report.brokerDrops[0]).toMatchObject({ done: true, affectedByClientCode: { [DEMO_USER.clientCode]: 1 } });
    const missed = report.brokerDrops.filter((d) => !d.done);
    expect(report.couldNotCheck).toEqual([
      expect.stringContaining('no --log FILE'),
      ...missed.map(() => expect.stringMatching(/broker drop at \d+ ms not caused: the drop ended no connection/)),
    ]);
    expect(code).toBe(0);
  }, SLOW_MS);

  it('a wrong API key exits 2 with one clear line', async ({ onTestFinished }) => {
    const { broker, gateway } = await probeRig(onTestFinished, 'singleton');
    const { code, stdout, stderr } = await stormcheck(['probe', gateway.url, '--api-key', 'not-a-key', '--broker-admin', broker.adminUrl]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/refused the API key .*check --api-key/);
  }, SLOW_MS);

  it('--json on exit 2 prints one JSON document with the error on stdout, and the one line on stderr', async ({ onTestFinished }) => {
    const { gateway, logFile } = await probeRig(onTestFinished, 'singleton');
    const url = gateway.url;
    await gateway.close();

    const { code, stdout, stderr } = await stormcheck(['probe', url, '--api-key', DEMO_USER.apiKey, '--log', logFile, '--json']);

    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({ schemaVersion: 1, command: 'probe', target: url, verdict: 'cannot-judge', error: expect.stringContaining(url) });
    expect(stderr.trim().split('\n')).toHaveLength(1);
  }, SLOW_MS);

  it('an unreachable target exits 2 naming the URL', async ({ onTestFinished }) => {
    const { gateway, logFile } = await probeRig(onTestFinished, 'singleton');
    const url = gateway.url;
    await gateway.close();
    const { code, stderr } = await stormcheck(['probe', url, '--api-key', DEMO_USER.apiKey, '--log', logFile]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot connect to ${url}`);
    expect(stderr).toContain('ECONNREFUSED');
  }, SLOW_MS);
});
