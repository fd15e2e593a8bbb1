import { connect } from 'node:net';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startStormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';
import { probeRig } from '../support/probe-rig.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { EVENTS_PER_RUN } from '../../verifier/time-ordered-events.ts';

const tmp = tempDirPerTest();

/** The built CLI with TMPDIR in the test's own folder, so what it leaves behind is visible there. */
function run(args: string[], stdin: 'pipe' | 'ignore' = 'ignore') {
  return startStormcheck(args, { env: { ...process.env, TMPDIR: tmp.dir }, stdin });
}

/** Whether anything still accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The gateway logs of the run in progress, in its temporary folder under TMPDIR. */
async function gatewayLogs(): Promise<string[]> {
  const folders = (await readdir(tmp.dir)).filter((n) => n.startsWith('stormcheck-reproduce-'));
  return (await Promise.all(folders.map((f) => readdir(join(tmp.dir, f)).catch(() => [])))).flat();
}

describe('SIGINT and SIGTERM stop every command: one line, temporary files removed, servers closed, exit 130/143', { timeout: 60_000 }, () => {
  it('reproduce, interrupted in its second registry, prints the first as a partial table and removes its temporary folder', async () => {
    const { child, out, exited } = run(['reproduce', '--clients', '2', '--duration', '2s']);
    await waitFor(async () => (await gatewayLogs()).includes('gateway-legacy-2026.log'), 'the second registry to start', 45_000);
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(out.stderr.trimEnd().split('\n')).toEqual(['stormcheck reproduce: interrupted by SIGINT while running legacy-2026 (1 of 3 registries done)']);
    expect(out.stdout).toContain('INTERRUPTED by SIGINT after 1 of 3 registries');
    expect(out.stdout).toMatch(/^\s+legacy-2025\s*$/m);
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('reproduce --json on SIGTERM before any registry finished: no partial document, no temporary folder, exit 143', async () => {
    const { child, out, exited } = run(['reproduce', '--clients', '2', '--duration', '2s', '--json']);
    await waitFor(async () => (await gatewayLogs()).length > 0, 'the first registry to start', 45_000);
    child.kill('SIGTERM');

    expect(await exited).toBe(143);
    expect(out.stderr).toMatch(/^stormcheck reproduce: interrupted by SIGTERM while running legacy-2025 \(0 of 3 registries done\)\n$/);
    expect(out.stdout).toBe('');
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('reproduce --log-dir keeps the logs it was asked to keep, and takes back the empty --html file it made', async () => {
    const kept = join(tmp.dir, 'kept');
    const page = join(tmp.dir, 'page.html');
    const { child, exited } = run(['reproduce', '--mode', 'singleton', '--clients', '2', '--duration', '2s', '--log-dir', kept, '--html', page]);
    await waitFor(async () => (await readdir(kept).catch(() => [])).length > 0, 'the gateway log', 45_000);
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(await readdir(tmp.dir)).toEqual(['kept']);
    expect(await readdir(kept)).toEqual(['gateway-singleton.log']);
  });

  it('probe prints what its clients saw so far and exits 130', async () => {
    const rig = await probeRig(onTestFinished, 'singleton');
    const { child, out, exited } = run(['probe', rig.gateway.url, '--api-key', 'demo-api-key', '--broker-admin', rig.broker.adminUrl, '--duration', '20s', '--clients', '2']);
    await waitFor(() => rig.broker.stats().accepted > 0, 'the probe to reach the broker', 30_000);
    // The clients' counts are sampled every half second; one sample makes a partial result.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(out.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^stormcheck probe: interrupted by SIGINT during traffic; no verdict$/)]);
    expect(out.stdout).toMatch(/^probe interrupted by SIGINT before judging; clients so far: \d+ connected, \d+ ticks, \d+ refusals\n$/);
  });

  it('verify on a stdin that never ends: one line, no report, exit 130', async () => {
    const { child, out, exited } = run(['verify', '-'], 'pipe');
    // Four times a pipe's buffer: the write completes only once verify is reading, its handler in place.
    const lines = '[2025-11-11 09:45:00,000] INFO in angel_adapter: Creating adapter for broker: angel\n'.repeat(3_000);
    await new Promise((resolve) => child.stdin.write(lines, resolve));
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(out.stderr).toBe('stormcheck verify: interrupted by SIGINT while reading -; no report\n');
    expect(out.stdout).toBe('');
  });

  it('verify --merge removes the events it spilled to disk when interrupted while waiting on its next input', async () => {
    const log = join(tmp.dir, 'app.log');
    // More events than --merge holds in memory, so a sorted run of them is on disk under TMPDIR.
    await writeFile(log, '[2025-11-11 09:45:00,000] INFO in broker_factory: Creating NEW angel adapter for user u1\n'.repeat(EVENTS_PER_RUN + 10));
    const { child, out, exited } = run(['verify', log, '-', '--merge'], 'pipe');
    await waitFor(async () => (await readdir(tmp.dir)).some((n) => n.startsWith('stormcheck-merge-')), 'the spilled events', 30_000);
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(out.stderr).toBe('stormcheck verify: interrupted by SIGINT while reading 2 inputs; no report\n');
    expect(await readdir(tmp.dir)).toEqual(['app.log']);
  });

  it('verify --follow on SIGTERM prints its final report, as on Ctrl-C, and exits with the verdict', async () => {
    const log = join(tmp.dir, 'live.log');
    await writeFile(log, '[2025-11-11 09:45:00,000] INFO in angel_adapter: Creating adapter for broker: angel\n');
    const { child, out, exited } = run(['verify', log, '--follow', '--reporter', 'json']);
    await waitFor(() => out.stderr.includes('press Ctrl-C'), 'verify to follow the log');
    child.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ linesRead: 1, findings: [] });
  });

  it.each([
    ['gateway', ['--port', '0', '--admin-port', '0'], /clients ws:\/\/127\.0\.0\.1:(\d+), admin http:\/\/127\.0\.0\.1:(\d+)/],
    ['mock-broker', ['--port', '0', '--log-level', 'silent'], /clients connect to ws:\/\/127\.0\.0\.1:(\d+)/],
  ] as const)('%s on SIGTERM closes its ports and exits 143', async (command, args, urls) => {
    const { child, out, exited } = run([command, ...args]);
    const ports = (await waitFor(() => urls.exec(out.stderr)?.slice(1).map(Number), 'its URLs', 30_000))!;
    for (const port of ports) expect(await listening(port)).toBe(true);
    child.kill('SIGTERM');

    expect(await exited).toBe(143);
    expect(out.stderr).toMatch(new RegExp(`(stormcheck gateway|mock-broker): interrupted by SIGTERM; closing .*\\n$`));
    for (const port of ports) expect(await listening(port)).toBe(false);
    expect(await readdir(tmp.dir)).toEqual([]);
  });
});
