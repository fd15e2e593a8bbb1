import { describe, expect, it } from 'vitest';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import { BrokerState } from '../../protocol/openalgo/index.ts';
import { USER, waitFor, type OpenAlgoClient } from '../support/gateway-harness.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';

const MAX_RECONNECT = 2;
const rigs = clusterRigsPerTest(1_000);

const states = (client: OpenAlgoClient): string[] => client.received.filter((m) => m.type === 'broker_status').map((m) => m.state);

describe('gateway --cluster: the holder upstream state reaches every gateway', () => {
  it('relays connecting, refused-retrying and failed to the other gateway; a failed holder gives the lease back until a client asks again', async () => {
    const { rig } = await rigs.start({ maxReconnect: MAX_RECONNECT });
    const { gateway: other, client: b } = await rigs.second({ maxReconnect: MAX_RECONNECT });
    // Every handshake of the first cycle is refused, whichever gateway gets the lease (401: a 429 does not count).
    rig.broker.inject({ type: 'reject-next', count: MAX_RECONNECT, status: 401 });
    const a = await rig.connect();
    for (const client of [a, b]) {
      expect((await client.authenticate()).status).toBe('success');
      await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    }

    for (const client of [a, b]) {
      await waitFor(() => states(client).includes(BrokerState.failed), 'failed on both gateways', 15_000);
      expect(states(client)).toEqual(expect.arrayContaining([BrokerState.connecting, BrokerState.refusedRetrying, BrokerState.failed]));
      expect(client.received.find((m) => m.state === BrokerState.refusedRetrying)).toMatchObject({ http_status: 401, user_id: USER.userId });
      await waitFor(() => client.received.some((m) => m.status === 'error' && m.code === 'BROKER_ERROR'), 'BROKER_ERROR on both gateways');
    }
    expect(rig.broker.stats().rejected['401']).toBe(MAX_RECONNECT);

    const inspector = rigs.inspector();
    await waitFor(async () => (await inspector.exists(ClusterKey.lease(USER.userId, USER.broker))) === 0, 'the failed holder to release the lease');
    for (const gateway of [rig.gateway, other]) {
      const h = await gatewayHealth(gateway);
      expect(h.status).toBe('unavailable');
      expect(h.adapters).toEqual([expect.objectContaining({ state: 'failed', upstreamConnections: 0 })]);
    }

    // BROKER_ERROR says "authenticate again": that client's gateway claims the free lease and dials.
    expect((await b.authenticate()).status).toBe('success');
    await waitFor(async () => (await gatewayHealth(other)).cluster.leases[0]?.holder === 'self', 'gw-b to hold the lease', 15_000);
    for (const client of [a, b]) {
      const mark = client.received.length;
      await waitFor(() => client.received.slice(mark).some((m) => m.type === 'market_data'), 'ticks on both gateways', 15_000);
    }
    expect(states(a).at(-1)).toBe(BrokerState.open);
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
    expect(rig.broker.events().filter((e) => e.type === 'accepted')).toHaveLength(1);
  }, 45_000);
});
