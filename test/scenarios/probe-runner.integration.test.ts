import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { DEMO_USER, startGateway } from '../../gateway/index.ts';
import type { Gateway, RegistryMode } from '../../gateway/index.ts';
import { GatewayLogCapture } from '../../scenarios/reproduce/gateway-log-capture.ts';
import { runProbe } from '../../scenarios/probe/probe.ts';
import { renderProbeReport } from '../../scenarios/probe/probe-text.ts';
import { stormcheck } from '../support/run-stormcheck.ts';
import { stormcheckInProcess } from '../support/run-cli-in-process.ts';

interface Rig {
  broker: MockBroker;
  gateway: Gateway;
  logFile: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcheck-probe-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A mock broker (limit 2) behind a gateway in `mode`, the gateway logging to a real file. */
async function rig(mode: RegistryMode, timeScale = 1): Promise<Rig> {
  const logFile = join(await tempDir(), 'gateway.log');
  const log = new GatewayLogCapture(logFile);
  cleanups.push(() => log.finish());
  const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent' });
  cleanups.push(() => broker.close());
  const gateway = await startGateway({ host: '127.0.0.1', port: 0, adminPort: 0, brokerUrl: broker.url, registry: mode, logDestination: log.destination, legacy: { timeScale } });
  cleanups.push(() => gateway.close());
  return { broker, gateway, logFile };
}

/** Long enough for the quiet tail (docs/gateway.md#recovery-policy: backoff after the drop) even on a loaded 2-core machine. */
const probe = { apiKey: DEMO_USER.apiKey, clients: 6, scenario: 'all', durationMs: 4000, seed: 1 } as const;

/** Real servers and spawned CLIs on a shared 2-core machine: generous, never a timing assertion. */
const SLOW_MS = 60_000;

describe('stormcheck probe against the reference gateway and the mock broker', () => {
  it('singleton passes on broker evidence, log evidence and the clients\' side', async () => {
    const { broker, gateway, logFile } = await rig('singleton');
    const report = await runProbe({ ...probe, url: gateway.url, brokerAdmin: broker.adminUrl, logFile });

    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.checks.map((c) => c.source)).toEqual(['broker', 'broker', 'broker', 'log', 'clients', 'clients']);
    expect(report.user).toBe(DEMO_USER.userId);
    expect(report.broker?.peak).toEqual({ [DEMO_USER.clientCode]: 1 });
    expect(report.brokerDrops).toEqual([expect.objectContaining({ done: true })]);
    expect(report.verdict).toBe('pass');
    expect(renderProbeReport(report)).toContain('verdict: PASS');
  }, SLOW_MS);

  it('legacy-2025 fails under churn, and the report says which evidence showed it', async () => {
    const { broker, gateway, logFile } = await rig('legacy-2025', 0.01);
    const report = await runProbe({ ...probe, scenario: 'churn', url: gateway.url, brokerAdmin: broker.adminUrl, logFile });

    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.source);
    expect(failed).toContain('log');
    expect(report.verdict).toBe('fail');
    const text = renderProbeReport(report);
    expect(text).toContain('verdict: FAIL');
    expect(text).toMatch(/FAIL log: no error finding in the lines the log gained — .*adapter-burst/);
  }, SLOW_MS);

  it('with only a log that gains nothing it cannot judge, and says why', async () => {
    const { gateway } = await rig('singleton');
    const quietLog = join(await tempDir(), 'elsewhere.log');
    await writeFile(quietLog, '');
    const report = await runProbe({ ...probe, scenario: 'burst', durationMs: 2000, url: gateway.url, logFile: quietLog });

    expect(report.verdict).toBe('cannot-judge');
    expect(report.couldNotCheck.join('\n')).toContain('gained no lines');
    expect(report.couldNotCheck.join('\n')).toContain('no --broker-admin');
  }, SLOW_MS);

  it('CLI --json against singleton with --broker-admin only: exit 0, schemaVersion, broker drops caused', async () => {
    const { broker, gateway } = await rig('singleton');
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

  it('a wrong API key exits 2 with one clear line', async () => {
    const { broker, gateway } = await rig('singleton');
    const { code, stdout, stderr } = await stormcheck(['probe', gateway.url, '--api-key', 'not-a-key', '--broker-admin', broker.adminUrl]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/refused the API key .*check --api-key/);
  }, SLOW_MS);

  it('--json on exit 2 prints one JSON document with the error on stdout, and the one line on stderr', async () => {
    const { gateway, logFile } = await rig('singleton');
    const url = gateway.url;
    await gateway.close();

    const { code, stdout, stderr } = await stormcheck(['probe', url, '--api-key', DEMO_USER.apiKey, '--log', logFile, '--json']);

    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({ schemaVersion: 1, command: 'probe', target: url, verdict: 'cannot-judge', error: expect.stringContaining(url) });
    expect(stderr.trim().split('\n')).toHaveLength(1);
  }, SLOW_MS);

  it('an unreachable target exits 2 naming the URL', async () => {
    const { gateway, logFile } = await rig('singleton');
    const url = gateway.url;
    await gateway.close();
    const { code, stderr } = await stormcheck(['probe', url, '--api-key', DEMO_USER.apiKey, '--log', logFile]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot connect to ${url}`);
    expect(stderr).toContain('ECONNREFUSED');
  }, SLOW_MS);
});

describe('stormcheck probe options', () => {
  it('no evidence source exits 2 before sending any traffic', async () => {
    const { code, stderr } = await stormcheckInProcess(['probe', 'ws://127.0.0.1:9', '--api-key', 'k']);
    expect(code).toBe(2);
    expect(stderr).toContain('give --broker-admin URL');
    expect(stderr).toContain('--log FILE');
  }, SLOW_MS);

  it.each([
    [['probe', 'http://127.0.0.1:8765', '--api-key', 'k', '--log', '/etc/hostname'], '<ws-url> must start with ws:// or wss://'],
    [['probe', 'not a url', '--api-key', 'k', '--log', '/etc/hostname'], '<ws-url> must be a ws:// or wss:// URL'],
    [['probe', 'ws://127.0.0.1:8765', '--log', '/etc/hostname'], '--api-key is required'],
    [['probe', 'ws://127.0.0.1:8765', '--api-key', 'k', '--log', '/nonexistent/app.log'], '--log /nonexistent/app.log is not a readable file'],
    [['probe', 'ws://127.0.0.1:8765', '--api-key', 'k', '--broker-admin', 'ftp://127.0.0.1'], '--broker-admin must start with http://'],
    [['probe', 'ws://127.0.0.1:8765', '--api-key', 'k', '--broker-admin', 'http://10.1.2.3:9443'], '--broker-admin must be on loopback or on the probed host'],
    [['probe', 'ws://127.0.0.1:8765', '--api-key', 'k', '--log', '/etc/hostname', '--clients', '1000'], '--clients must be a whole number from 1 to 200'],
    [['probe', 'ws://127.0.0.1:8765', '--api-key', 'k', '--log', '/etc/hostname', '--duration', 'later'], '--duration must be a duration'],
  ])('%j exits 2: %s', async (args, message) => {
    const { code, stderr } = await stormcheckInProcess(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  }, SLOW_MS);

  it('an unreachable --broker-admin exits 2 naming it', async () => {
    const { gateway } = await rig('singleton');
    const { code, stderr } = await stormcheckInProcess(['probe', gateway.url, '--api-key', DEMO_USER.apiKey, '--broker-admin', 'http://127.0.0.1:9']);
    expect(code).toBe(2);
    expect(stderr).toContain("cannot read the broker's record at --broker-admin http://127.0.0.1:9/");
  }, SLOW_MS);
});
