import { afterEach, describe, expect, it } from 'vitest';
import { startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('singleton: authenticating again after BROKER_ERROR (found by the registry properties)', () => {
  it('restarts the failed adapter on the same connection and the client keeps its subscriptions', async () => {
    rig = await startRig({ maxReconnect: 3 });
    const client = await rig.connect();
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1 });
    await waitFor(() => client.marketData().length > 0, 'ticks before the fault');

    rig.broker.inject({ type: 'reject-next', count: 3, status: 401 });
    rig.broker.inject({ type: 'drop-all' });
    await waitFor(() => client.received.some((m) => m.code === 'BROKER_ERROR'), 'BROKER_ERROR once the cycle is spent');
    expect(rig.gateway.health().adapters[0]!.state).toBe('failed');

    expect((await client.authenticate()).status).toBe('success');
    const seen = client.marketData().length;
    await waitFor(() => client.marketData().length > seen, 'ticks after authenticating again');
    expect(rig.gateway.health().adapters[0]).toMatchObject({ state: 'open', clients: 1, subscriptions: 1 });
    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
  });
});

describe('singleton: a client returning right after a 429 (issue 21)', () => {
  it('waits out the rate-limited floor instead of dialling at once, so two refusals never come closer', async () => {
    const floorMs = 600;
    rig = await startRig({ backoff: { baseMs: 20, capMs: 200, rateLimitedMinMs: floorMs, rateLimitedMaxMs: floorMs } });
    rig.broker.inject({ type: 'reject-next', count: 2, status: 429 });
    const first = await rig.connect();
    await first.authenticate();
    void first.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1 });
    await waitFor(() => rig!.broker.events().some((e) => e.type === 'rejected'), 'the first 429');
    first.ws.terminate();
    await waitFor(() => rig!.logs.count('upstream.pause') > 0, 'the adapter to pause once no client wants data');
    const second = await rig.connect();
    await second.authenticate();
    await second.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1 });
    await waitFor(() => second.marketData().length > 0, 'ticks for the returning client');
    const handshakes = rig.broker.events().filter((e) => e.type === 'rejected' || e.type === 'accepted');
    expect(handshakes.map((e) => e.type)).toEqual(['rejected', 'rejected', 'accepted']);
    for (let i = 1; i < handshakes.length; i++) expect(handshakes[i]!.time - handshakes[i - 1]!.time).toBeGreaterThanOrEqual(floorMs);
  });
});
