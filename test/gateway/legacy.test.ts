import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRig, USER, waitFor, type OpenAlgoClient, type Rig } from '../support/gateway-harness.ts';
import { sdkHeaders } from '../support/mock-broker-client.ts';
import { SDK_RETRY } from '../../gateway/legacy/smart-websocket.ts';

let rig: Rig | undefined;
const holders: WebSocket[] = [];
afterEach(async () => {
  for (const ws of holders.splice(0)) ws.terminate();
  await rig?.close();
  rig = undefined;
});

const CLIENT_CODE = USER.clientCode;
const SUBSCRIBE = { action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 'LTP' } as const;

/** Another application of the same client code holding `n` broker slots, as in the incident. */
async function holdSlots(n: number): Promise<WebSocket[]> {
  const account = { clientCode: USER.clientCode, apiKey: USER.brokerApiKey, feedToken: USER.feedToken, authToken: USER.authToken };
  const held = await Promise.all(
    Array.from({ length: n }, async () => {
      const ws = new WebSocket(rig!.broker.url, { headers: sdkHeaders(account) });
      ws.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', () => reject(new Error('the broker refused a slot holder')));
      });
      return ws;
    }),
  );
  holders.push(...held);
  return held;
}

async function release(held: WebSocket[]): Promise<void> {
  for (const ws of held) ws.close();
  await waitFor(() => (rig!.broker.stats().current[CLIENT_CODE] ?? 0) === 0 || held.every((ws) => ws.readyState === WebSocket.CLOSED), 'the slots to free');
}

async function subscribedClient(): Promise<OpenAlgoClient> {
  const client = await rig!.connect();
  expect((await client.authenticate()).status).toBe('success');
  await client.request(SUBSCRIBE);
  return client;
}

function times(event: string): number[] {
  return rig!.logs.records().filter((r) => r.event === event).map((r) => r.time as number);
}

describe('legacy-2025 (OpenAlgo 2025-11) on real sockets against the mock broker (limit 2)', () => {
  it('burst: 20 clients authenticating at once share one adapter; the broker sees 1 connection and no 429', async () => {
    rig = await startRig({ registry: 'legacy-2025' });
    const clients = await Promise.all(Array.from({ length: 20 }, () => rig!.connect()));
    const replies = await Promise.all(clients.map((c) => c.authenticate()));
    expect(replies.every((r) => r.status === 'success')).toBe(true);
    await Promise.all(clients.map((c) => c.request(SUBSCRIBE)));
    await waitFor(() => clients.every((c) => c.marketData().length > 0), 'every client to get data');

    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.logs.records().find((r) => r.event === 'adapter.create')!.msg).toBe('Creating adapter for broker: angel');
    const stats = rig.broker.stats();
    expect(stats.rejected['429']).toBe(0);
    expect(stats.peak[CLIENT_CODE]).toBe(1);
  });

  it('churn: each last-client cycle tears the adapter down and the next authenticate creates a new one, never overlapping', async () => {
    rig = await startRig({ registry: 'legacy-2025' });
    for (let round = 0; round < 3; round++) {
      const client = await subscribedClient();
      await waitFor(() => client.marketData().length > 0, 'data in this cycle');
      client.ws.close();
      await waitFor(() => rig!.logs.count('adapter.teardown') === round + 1, 'the teardown');
      await waitFor(() => (rig!.broker.stats().current[CLIENT_CODE] ?? 0) === 0, 'the upstream socket to close');
    }
    expect(rig.logs.count('adapter.create')).toBe(3);
    const creates = times('adapter.create');
    const teardowns = times('adapter.teardown');
    for (let i = 1; i < creates.length; i++) expect(creates[i]).toBeGreaterThanOrEqual(teardowns[i - 1]);
    expect(rig.logs.records().find((r) => r.event === 'adapter.teardown')!.msg).toBe(
      `Last client for user ${USER.userId} disconnected. Disconnecting angel adapter.`,
    );
    const stats = rig.broker.stats();
    expect(stats.peak[CLIENT_CODE]).toBe(1);
    expect(stats.rejected['429']).toBe(0);
    expect(stats.accepted).toBe(3);
  });

  it('lockout: the runaway starts only after the SDK exhausted its 5 nested retries, then exceeds 100 attempts/s with no sleep', async () => {
    const timeScale = 0.01;
    rig = await startRig({
      registry: 'legacy-2025',
      legacy: { timeScale },
    });
    await holdSlots(2);
    const client = await rig.connect();
    await client.authenticate();
    await waitFor(() => rig!.broker.stats().rejected['429'] > 400, 'the runaway', 20_000);

    const records = rig.logs.records();
    const firstGiveUp = records.findIndex((r) => r.event === 'sdk.give_up');
    const retriesBefore = records.slice(0, firstGiveUp).filter((r) => r.event === 'sdk.retry');
    expect(retriesBefore.map((r) => r.msg)).toEqual([1, 2, 3, 4, 5].map((n) => `Attempting to resubscribe/reconnect (Attempt ${n})...`));
    // Before the give-up: the first dial plus one per retry, each after the scaled 10 s sleep.
    expect(records.slice(0, firstGiveUp).filter((r) => r.event === 'upstream.rejected').length).toBe(6);
    const runaway = records.slice(firstGiveUp).filter((r) => r.event === 'upstream.connect');
    expect(runaway.every((r) => r.msg === 'Connecting to Angel WebSocket (attempt 1)')).toBe(true);
    expect(records.slice(firstGiveUp).filter((r) => r.event === 'sdk.retry')).toHaveLength(0);
    // The broker's own clock, in windows of one scaled SDK sleep: the spent chain's unwinding leaves one
    // loop per nested frame (6), so an SDK that slept before each retry could make at most 6 attempts in
    // one. Over 100/s means more than 10; a window rather than a whole second, so that a loaded machine
    // that lends the test a fraction of a core still shows the loop's own speed, not the machine's.
    const sleepMs = SDK_RETRY.retryDelayMs * timeScale;
    const refusals = rig.broker.events().filter((e) => e.type === 'rejected' && e.time >= (records[firstGiveUp]!.time as number)).map((e) => e.time);
    let busiest = 0;
    for (let lo = 0, hi = 0; hi < refusals.length; hi++) {
      while (refusals[hi]! - refusals[lo]! >= sleepMs) lo++;
      busiest = Math.max(busiest, hi - lo + 1);
    }
    expect(busiest).toBeGreaterThan((100 * sleepMs) / 1000);
    expect(busiest).toBeGreaterThan(6);
    expect(rig.logs.count('adapter.create')).toBe(1);
  });

  it('limit: zombies of torn-down adapters take the freed slots and the live adapter\'s client gets no data', async () => {
    // Scale 0.05: the SDK sleeps 500 ms between retries; the other app holds the slots for 1.3 s.
    rig = await startRig({
      registry: 'legacy-2025',
      legacy: { timeScale: 0.05, safetyCap: { maxAttemptsPerSecond: 1000, runawayPerSecond: 100, maxRunawayMs: 500 } },
    });
    const held = await holdSlots(2);
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const client = await subscribedClient();
      await waitFor(() => rig!.logs.count('sdk.retry') > i, 'the SDK to start sleeping');
      client.ws.close();
      await waitFor(() => rig!.logs.count('adapter.teardown') === i + 1, 'the teardown');
    }
    const live = await subscribedClient();
    await sleep(Math.max(0, 1300 - (Date.now() - started)));
    await release(held);
    await waitFor(() => rig!.logs.records().filter((r) => r.event === 'upstream.open' && r.zombie === true).length >= 2, 'zombies to take both slots');
    await sleep(500);

    expect(rig.broker.stats().current[CLIENT_CODE]).toBe(2);
    expect(rig.logs.records().filter((r) => r.event === 'upstream.open' && r.zombie === false)).toHaveLength(0);
    expect(live.marketData()).toHaveLength(0);
    const holding = rig.gateway.health().adapters.filter((a) => a.upstreamConnections > 0);
    expect(holding.every((a) => a.clients === 0)).toBe(true);
  });

  it('a broker abort leaves the adapter "connected" during the SDK\'s sleep: subscribes fail with socket is already closed.', async () => {
    rig = await startRig({ registry: 'legacy-2025', legacy: { timeScale: 0.05 } });
    const client = await subscribedClient();
    await waitFor(() => client.marketData().length > 0, 'data');
    rig.broker.inject({ type: 'drop-all' });
    await waitFor(() => rig!.logs.count('sdk.retry') === 1, 'the SDK retry');
    await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 'LTP' });
    const failed = await waitFor(() => rig!.logs.records().find((r) => r.event === 'upstream.subscribe_failed'), 'the failed subscribe');
    expect(failed.msg).toBe('Error occurred during subscribe: socket is already closed.');
    expect(failed.module).toBe('smartWebSocketV2');
    // The adapter's on-close has not run: the SDK reconnects after its sleep, not the adapter at once.
    expect(rig.logs.count('upstream.close')).toBe(0);
    await waitFor(() => rig!.logs.count('upstream.open') === 2, 'the SDK to reconnect');
  });
});

describe('legacy-2026 (OpenAlgo 2026-08) on real sockets against the mock broker (limit 2)', () => {
  it('churn: the pool is torn down on every last-client cycle and rebuilt on the next authenticate', async () => {
    rig = await startRig({ registry: 'legacy-2026' });
    for (let round = 0; round < 3; round++) {
      const client = await subscribedClient();
      await waitFor(() => client.marketData().length > 0, 'data in this cycle');
      client.ws.close();
      await waitFor(() => rig!.logs.records().filter((r) => r.msg === '[POOL] ConnectionPool disconnected successfully').length === round + 1, 'the pool teardown');
    }
    const messages = rig.logs.records().map((r) => r.msg);
    expect(messages.filter((m) => m === '[POOL] ========== DISCONNECTING POOL ==========')).toHaveLength(3);
    expect(messages.filter((m) => m === `Created new connection pool for angel_${USER.userId}: max 1000 symbols × 3 connections`)).toHaveLength(3);
    expect(rig.broker.stats().peak[CLIENT_CODE]).toBe(1);
  });

  it('a second client reuses the pool: "Creating pooled adapter" is only the wrapper', async () => {
    rig = await startRig({ registry: 'legacy-2026' });
    await subscribedClient();
    await subscribedClient();
    const messages = rig.logs.records().map((r) => r.msg);
    expect(messages.filter((m) => String(m).startsWith('Creating pooled adapter for broker: angel'))).toHaveLength(2);
    expect(messages).toContain(`Reusing existing pool for angel_${USER.userId}`);
    expect(rig.logs.count('adapter.create')).toBe(1);
  });

  it('freeze: a disconnect while the SDK sleeps holds the next client\'s authenticate for ≥ 4 s (scaled)', async () => {
    const timeScale = 0.05;
    rig = await startRig({ registry: 'legacy-2026', legacy: { timeScale } });
    await holdSlots(2);
    const first = await subscribedClient();
    await waitFor(() => rig!.logs.count('sdk.retry') === 1, 'the SDK to sleep in its retry');
    const next = await rig.connect();
    first.ws.close();
    await waitFor(() => rig!.logs.count('adapter.teardown') === 1, 'the teardown');
    const asked = Date.now();
    expect((await next.authenticate()).status).toBe('success');
    expect(Date.now() - asked).toBeGreaterThanOrEqual(4000 * timeScale);
    const warning = await waitFor(() => rig!.logs.records().find((r) => r.event === 'legacy.freeze'), 'the join warning');
    expect(warning.msg).toBe('Connection thread did not terminate within timeout');
  });

  it('the stall watchdog forces a reconnect after 90 s (scaled) without data, pongs not counting', async () => {
    rig = await startRig({ registry: 'legacy-2026', legacy: { timeScale: 0.01 } });
    const client = await rig.connect();
    await client.authenticate();
    const stall = await waitFor(() => rig!.logs.records().find((r) => r.event === 'sdk.stall'), 'the watchdog');
    // It looks every 10 s and fires at the first look past 90 s. At scale 0.01 a millisecond of timer
    // rounding is 0.1 s, so the ninth look can see 89.9 s and the tenth fire, at 99.9 s or 100.0 s.
    expect(String(stall.msg)).toMatch(/^Angel data stall detected - no data for (9\d|10\d)\.\ds \(timeout: 90s\)\. Forcing reconnect\.\.\.$/);
    await waitFor(() => rig!.logs.count('upstream.open') === 2, 'the forced reconnect');
    expect(rig.logs.records().some((r) => String(r.msg).startsWith('Reconnecting in 5s (attempt 1)'))).toBe(true);
  });
});
