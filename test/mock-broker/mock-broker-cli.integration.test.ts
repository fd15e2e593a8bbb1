import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { selfSignedAngelCertificate } from '../../mock-broker/tls-credentials.ts';
import { STORMCHECK_BIN, stormcheck } from '../support/run-stormcheck.ts';
import { ACCOUNT_A, closeAllClients, connect, handshake, sdkHeaders, waitFor } from '../support/mock-broker-client.ts';


let dir: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mock-broker-cli-'));
});

afterEach(async () => {
  closeAllClients();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A `stormcheck mock-broker` process whose output so far is read from `out`; killed after the test if still running. */
function spawnMockBroker(args: string[]): { proc: ChildProcess; out: { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [STORMCHECK_BIN, 'mock-broker', ...args]);
  child = proc;
  const out = { stdout: '', stderr: '' };
  proc.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  proc.stdout!.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, out, exited };
}

// Each spawn starts node: up to seconds on a loaded 2-core machine, so these get a generous timeout.
describe('stormcheck mock-broker', { timeout: 60_000 }, () => {
  it('--help describes the options with an example and exits 0', async () => {
    const { code, stdout } = await stormcheck(['mock-broker', '--help']);

    expect(code).toBe(0);
    for (const option of ['--limit', '--on-limit', '--slot-hold-ms', '--max-tokens', '--tick-ms', '--seed', '--accounts']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toMatch(/Examples:/);
  });

  it.each([
    [['--limit', '0'], '--limit'],
    [['--on-limit', 'sometimes'], 'on-limit'],
    [['--log-level', 'loud'], '--log-level'],
    [['--order-limit', '0'], '--order-limit'],
    [['--slot-hold-ms', '2147483648'], '--slot-hold-ms'],
    [['--cert', 'only-cert.pem'], '--cert and --key go together'],
    [['--tls', '--cert', '/nonexistent/cert.pem', '--key', '/nonexistent/key.pem'], '/nonexistent/cert.pem'],
  ])('exits 2 naming the option for %j', async (args, option) => {
    const { code, stderr } = await stormcheck(['mock-broker', ...args]);

    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(option);
  });

  it('exits 2 saying what to fix when the accounts file is not valid JSON', async () => {
    const file = join(dir, 'accounts.json');
    await writeFile(file, '{not json');

    const { code, stderr } = await stormcheck(['mock-broker', '--accounts', file]);

    expect(code).toBe(2);
    expect(stderr).toMatch(/--accounts: .*accounts\.json is not valid JSON/);
  });

  it('exits 2 naming the file when a TLS file holds no PEM', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await writeFile(cert, 'not a certificate');
    await writeFile(key, '-----BEGIN PRIVATE KEY-----\n');

    const { code, stderr } = await stormcheck(['mock-broker', '--tls', '--cert', cert, '--key', key]);

    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${cert} holds no PEM certificate`);
  });

  it('exits 2 in one line naming the field when the --faults plan is wrong, and a FIFO as the key does not hang', async () => {
    const plan = join(dir, 'plan.json');
    await writeFile(plan, JSON.stringify({ version: 1, faults: [{ atMs: 0, fault: { type: 'latency' } }] }));
    const fifo = join(dir, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    const { cert } = await selfSignedAngelCertificate();
    const certFile = join(dir, 'cert.pem');
    await writeFile(certFile, String(cert));

    const badPlan = await stormcheck(['mock-broker', '--faults', plan]);
    const fifoKey = await stormcheck(['mock-broker', '--cert', certFile, '--key', fifo]);

    expect([badPlan.code, fifoKey.code]).toEqual([2, 2]);
    expect(badPlan.stderr.trim()).toBe(`stormcheck: --faults ${plan}: faults[0].fault: latency needs "ms": an integer from 0 to 2147483647`);
    expect(fifoKey.stderr.trim().split('\n')).toHaveLength(1);
    expect(fifoKey.stderr).toContain(`${fifo}: a FIFO, not a regular file`);
  });

  it('--faults runs the plan from start-up', async () => {
    const plan = join(dir, 'plan.json');
    await writeFile(plan, JSON.stringify([{ atMs: 0, fault: { type: 'reject-next', count: 1 } }]));
    const { out } = spawnMockBroker(['--port', '0', '--log-level', 'silent', '--faults', plan]);
    const url = (await waitFor(() => /clients connect to (ws:\S+)/.exec(out.stderr)?.[1], 'the broker URL', 45_000))!;

    await waitFor(async () => (await fetch(url.replace('ws:', 'http:').replace('/smart-stream', '/__admin/faults')).then((r) => r.json())).length === 1, 'the planned fault');
    const refused = await handshake(url, sdkHeaders(ACCOUNT_A));

    expect(refused).toMatchObject({ ok: false, status: 429 });
  });

  it('--tls with no files serves wss:// with a self-signed certificate for the AngelOne host names', async () => {
    const { proc, out, exited } = spawnMockBroker(['--tls', '--port', '0', '--log-level', 'silent']);

    const url = (await waitFor(() => /clients connect to (wss:\S+)/.exec(out.stderr)?.[1], 'the broker URL', 45_000))!;
    const ws = new WebSocket(url, { headers: sdkHeaders(ACCOUNT_A), rejectUnauthorized: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.terminate();
    proc.kill('SIGTERM');

    expect(await exited).toBe(143);
    expect(out.stderr).toContain('self-signed certificate for smartapisocket.angelone.in, tns.angelone.in');
    expect(out.stderr).toMatch(/order updates: wss:\S+\/smart-order-update/);
    expect(out.stdout).toBe('');
  });

  it('serves clients with the accounts file, prints its URLs and stops on SIGTERM, closing its connections (exit 143)', async () => {
    const file = join(dir, 'accounts.json');
    await writeFile(file, JSON.stringify([ACCOUNT_A]));
    const { proc, out, exited } = spawnMockBroker(['--port', '0', '--limit', '1', '--accounts', file]);

    const url = (await waitFor(() => /clients connect to (ws:\S+)/.exec(out.stderr)?.[1], 'the broker URL', 45_000))!;
    await waitFor(() => /admin API at http:\/\/127\.0\.0\.1:\d+\/__admin\//.test(out.stderr), 'the admin URL');
    await connect(url, ACCOUNT_A);
    const second = await handshake(url, sdkHeaders(ACCOUNT_A));
    expect(second).toMatchObject({ ok: false, status: 429 });
    await waitFor(() => out.stdout.includes('connection.rejected'), 'the rejection log line');
    proc.kill('SIGTERM');

    expect(await exited).toBe(143);
    expect(out.stdout).not.toContain(ACCOUNT_A.feedToken);
  });
});
