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
