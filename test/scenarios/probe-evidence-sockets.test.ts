import type { AddressInfo } from 'node:net';
import { describe, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { runProbe } from '../../scenarios/probe/probe.ts';
import { ACCOUNT_A, sdkHeaders } from '../support/mock-broker-client.ts';
import type { OnFinished } from '../support/probe-rig.ts';
import { scriptedEndpoint } from '../support/scripted-openalgo-endpoint.ts';

async function broker(onFinished: OnFinished): Promise<MockBroker> {
  const b = await startMockBroker({ port: 0, limit: 5, tickMs: 50, logLevel: 'silent' });
  onFinished(() => b.close());
  return b;
}

/**
 * An OpenAlgo-protocol endpoint with OpenAlgo 2025-11's zombie: it opens one upstream connection while
 * it has clients, tears it down when the last client leaves, and `zombieDelayMs` later the torn-down
 * adapter's SDK socket reconnects anyway, with nobody connected. `zombies: false` is the same endpoint
 * without the bug.
 */
async function openAlgoLikeEndpoint(brokerUrl: string, zombies: boolean, onFinished: OnFinished): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const upstreams = new Set<WebSocket>();
  let upstream: WebSocket | undefined;
  let clients = 0;
  const openUpstream = () => {
    const ws = new WebSocket(brokerUrl, { headers: sdkHeaders(ACCOUNT_A) });
    ws.on('error', () => undefined);
    upstreams.add(ws);
    return ws;
  };
  wss.on('connection', (socket) => {
    let authenticated = false;
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { action: string; symbol?: string; symbols?: { symbol: string }[] };
      if (frame.action === 'authenticate') {
        authenticated = true;
        clients += 1;
        if (!upstream || upstream.readyState > WebSocket.OPEN) upstream = openUpstream();
        socket.send(JSON.stringify({ type: 'auth', status: 'success', message: 'Authentication successful', broker: 'angel', user_id: 'u1' }));
        return;
      }
      const symbols = frame.symbols?.map((s) => s.symbol) ?? [frame.symbol ?? ''];
      if (frame.action === 'subscribe') {
        for (const symbol of symbols) socket.send(JSON.stringify({ type: 'market_data', symbol, exchange: 'NSE', mode: 1, broker: 'angel', data: { ltp: 1, ltt: 1, timestamp: 1 } }));
        const subscriptions = symbols.map((symbol) => ({ symbol, exchange: 'NSE', status: 'success', mode: 1, depth: 5, broker: 'angel' }));
        socket.send(JSON.stringify({ type: 'subscribe', status: 'success', subscriptions, message: 'Subscription processing complete', broker: 'angel' }));
      } else if (frame.action === 'unsubscribe') {
        socket.send(JSON.stringify({ type: 'unsubscribe', status: 'success', successful: [], failed: [], broker: 'angel' }));
      }
    });
    socket.on('close', () => {
      if (!authenticated || --clients > 0) return;
      upstream?.close();
      upstream = undefined;
      if (zombies) setTimeout(openUpstream, 250).unref();
    });
  });
  onFinished(
    () =>
      new Promise((resolve) => {
        for (const ws of upstreams) ws.terminate();
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

// These endpoints have no backoff to wait out, so the shortest run the CLI accepts (2 s) is enough; the
// zombie's margin (its 250 ms against the plan's 330 ms churn gap) does not depend on the duration.
const probe = { apiKey: 'any', clients: 2, scenario: 'churn', durationMs: 2000, seed: 1 } as const;
const ZOMBIE_CHECK = 'no upstream connection opened while no client was connected (zombie)';

// Each test runs a probe of its own against a broker and endpoint of its own, and spends its seconds
// waiting on the traffic plan's clock: run side by side, the three take the time of one.
describe.concurrent('probe evidence on real sockets', { timeout: 60_000 }, () => {
  it('names a zombie: an upstream connection opened after the gateway had no client left fails its own check', async ({ expect, onTestFinished }) => {
    const b = await broker(onTestFinished);
    const url = await openAlgoLikeEndpoint(b.url, true, onTestFinished);

    const report = await runProbe({ ...probe, url, brokerAdmin: b.adminUrl });

    const zombieCheck = report.checks.find((c) => c.name === ZOMBIE_CHECK);
    expect(zombieCheck?.status).toBe('fail');
    expect(zombieCheck?.detail).toMatch(/zombie\(s\): #\d+ A123 \d\d:\d\d:\d\d\.\d{3}–.*opened with no client connected/);
    expect(report.broker?.connections.filter((c) => c.openedWithNoClient).length).toBeGreaterThan(0);
    expect(report.verdict).toBe('fail');
  });

  it('the same endpoint without the zombie passes that check, and peak evidence names the overlap it caused', async ({ expect, onTestFinished }) => {
    const b = await broker(onTestFinished);
    const url = await openAlgoLikeEndpoint(b.url, false, onTestFinished);

    const report = await runProbe({ ...probe, url, brokerAdmin: b.adminUrl });

    expect(report.checks.find((c) => c.name === ZOMBIE_CHECK)).toMatchObject({ status: 'pass', detail: '0' });
    expect(report.broker?.connections.length).toBeGreaterThan(1);
    expect(report.broker?.connections.every((c) => c.clientCode === 'A123' && c.closedAt !== undefined)).toBe(true);
  });

  it('a broker drop that ends no connection of the target is not reported as done but as could-not-check', async ({ expect, onTestFinished }) => {
    const b = await broker(onTestFinished);
    // Another user's connection: the first drop hits only it, and that must not count for the target.
    const other = new WebSocket(b.url, { headers: sdkHeaders({ ...ACCOUNT_A, clientCode: 'OTHER' }) });
    other.on('error', () => undefined);
    await new Promise((resolve) => other.once('open', resolve));
    onTestFinished(async () => void other.terminate());
    // An endpoint that never opens an upstream connection of its own.
    const endpoint = await scriptedEndpoint();
    onTestFinished(endpoint.close);

    const report = await runProbe({ ...probe, apiKey: 'good', scenario: 'reconnect', url: endpoint.url, brokerAdmin: b.adminUrl });

    expect(report.brokerDrops.map((d) => [d.done, d.detail])).toEqual([
      [false, 'the drop ended only other client codes (OTHER: 1); the target held no upstream connection then'],
      [false, 'the drop ended no connection; the target held no upstream connection then'],
    ]);
    expect(report.couldNotCheck.filter((line) => line.startsWith('broker drop at'))).toHaveLength(2);
  });
});
