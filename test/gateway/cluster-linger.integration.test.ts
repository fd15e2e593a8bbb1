import { describe, expect, it } from 'vitest';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import { LogEvent } from '../../gateway/logger.ts';
import { USER, waitFor, type OpenAlgoClient } from '../support/gateway-harness.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';

const LINGER_MS = 400;
const rigs = clusterRigsPerTest(1_000);

async function subscribed(client: OpenAlgoClient): Promise<void> {
  expect((await client.authenticate()).status).toBe('success');
  expect((await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 })).status).toBe('success');
}

const ticksSince = (client: OpenAlgoClient, mark: number): number => client.received.slice(mark).filter((m) => m.type === 'market_data').length;

describe('gateway --cluster --linger-ms', () => {
  it('a holder whose clients all left lingers, then hands the lease to the gateway that still has clients, one upstream throughout', async () => {
    const { rig } = await rigs.start({ lingerMs: LINGER_MS });
    const a = await rig.connect();
    await subscribed(a);
    await waitFor(async () => (await gatewayHealth(rig.gateway)).cluster.leases[0]?.holder === 'self', 'gw-a to hold the lease');

    const { gateway: other, client: b } = await rigs.second({ lingerMs: LINGER_MS });
    await subscribed(b);
    let mark = b.received.length;
    await waitFor(() => ticksSince(b, mark) > 0, 'relayed ticks on gw-b');

    a.ws.close();
    await waitFor(() => rig.logs.count(LogEvent.adapterLinger) === 1, 'gw-a to give up its idle member', 5_000);
    expect(rig.logs.text()).toContain(`No clients for ${LINGER_MS} ms; releasing angel adapter for user ${USER.userId}`);
    await waitFor(async () => (await gatewayHealth(other)).cluster.leases[0]?.holder === 'self', 'gw-b to take the lease over', 5_000);
    expect((await gatewayHealth(rig.gateway)).adapters).toEqual([]);
    mark = b.received.length;
    await waitFor(() => ticksSince(b, mark) > 0, 'ticks on gw-b from its own upstream');
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
    expect(rig.broker.stats().current[USER.clientCode]).toBe(1);

    // The last client anywhere leaves: gw-b lingers too, then the user's lease and broker slot are free.
    b.ws.close();
    const inspector = rigs.inspector();
    await waitFor(async () => (await inspector.exists(ClusterKey.lease(USER.userId, USER.broker))) === 0, 'the lease to be released', 5_000);
    await waitFor(() => (rig.broker.stats().current[USER.clientCode] ?? 0) === 0, 'the broker slot to be released');
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
  });
});
