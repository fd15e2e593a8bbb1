import { afterEach, describe, expect, it } from 'vitest';
import { startRig, USER, waitFor, type Rig } from './gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const CLIENT_CODE = USER.clientCode;

describe('legacy registry reproduces the storm against the mock broker (limit 2)', () => {
  it('50 clients authenticating at once create several adapters, exceed the limit and draw 429s', async () => {
    rig = await startRig({ registry: 'legacy' });
    const clients = await Promise.all(Array.from({ length: 50 }, () => rig!.connect()));
    const replies = await Promise.all(clients.map((c) => c.authenticate()));
    expect(replies.every((r) => r.status === 'success')).toBe(true);
    await waitFor(() => rig!.broker.stats().rejected['429'] > 0, 'the broker to refuse connections');

    expect(rig.logs.count('adapter.create')).toBeGreaterThan(1);
    const stats = rig.broker.stats();
    expect(stats.accepted + stats.rejected['429']).toBeGreaterThan(stats.limit);
    expect(stats.peak[CLIENT_CODE]).toBe(2);
    const perUser = rig.logs.records().filter((r) => r.event === 'adapter.active').map((r) => r.userAdapters as number);
    expect(Math.max(...perUser)).toBeGreaterThan(1);
  });

  it('spent retries restart at attempt 1 without delay: a runaway loop of fresh attempts from one adapter', async () => {
    rig = await startRig({ registry: 'legacy', maxReconnect: 3 });
    rig.broker.inject({ type: 'reject-next', count: 1_000, status: 429 });
    const client = await rig.connect();
    await client.authenticate();
    await waitFor(() => rig!.logs.count('legacy.attempt_cap') === 1, 'the adapter to hit the reproduction cap');

    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.logs.count('upstream.exhausted')).toBeGreaterThan(1);
    const firstAttempts = rig.logs.records().filter((r) => r.event === 'upstream.connect' && r.attempt === 1);
    expect(firstAttempts.length).toBeGreaterThan(20);
    expect(firstAttempts.every((r) => r.msg === 'Connecting to Angel WebSocket (attempt 1)')).toBe(true);
    // The cap bounds the demo: 300 dials per adapter, both retry layers counted.
    expect(rig.broker.stats().rejected['429']).toBeLessThanOrEqual(300);
  });

  it('client churn tears the adapter down and the next authenticate creates a new one', async () => {
    rig = await startRig({ registry: 'legacy' });
    for (let round = 0; round < 3; round++) {
      const client = await rig.connect();
      await client.authenticate();
      client.ws.close();
      await waitFor(() => rig!.logs.count('adapter.remove') === round + 1, 'the teardown');
    }
    expect(rig.logs.count('adapter.create')).toBe(3);
    expect(rig.logs.count('adapter.teardown')).toBe(3);
    expect(rig.logs.records().find((r) => r.event === 'adapter.teardown')!.msg).toBe(
      `Last client for user ${USER.userId} disconnected. Disconnecting angel adapter.`,
    );
    expect(rig.broker.stats().accepted).toBe(3);
  });

  it('after every client has left, forgotten adapters keep holding broker slots (zombies)', async () => {
    rig = await startRig({ registry: 'legacy' });
    const clients = await Promise.all(Array.from({ length: 10 }, () => rig!.connect()));
    await Promise.all(clients.map((c) => c.authenticate()));
    for (const c of clients) c.ws.close();
    await waitFor(() => rig!.logs.count('adapter.teardown') === 1, 'the teardown of the stored adapter');

    await waitFor(() => (rig!.broker.stats().current[CLIENT_CODE] ?? 0) >= 1, 'a zombie holding a slot');
    expect(rig.gateway.health().clients).toBe(0);
    const holding = rig.gateway.health().adapters.filter((a) => a.upstreamConnections > 0);
    expect(holding.length).toBeGreaterThanOrEqual(1);
    expect(holding.every((a) => a.clients === 0)).toBe(true);
  });
});
