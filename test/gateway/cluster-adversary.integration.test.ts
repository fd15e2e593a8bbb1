import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import { encodeRelayBatch } from '../../gateway/cluster/relay-frame.ts';
import { encodeRelayedStatus } from '../../gateway/cluster/status-frame.ts';
import { encodeTick } from '../../protocol/smartapi/index.ts';
import { USER, waitFor, type OpenAlgoClient } from '../support/gateway-harness.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';

/**
 * The red-team script of issue 24 against two gateways sharing a real redis-server, each with the same
 * --cluster-secret (docs/cluster.md#security): forged ticks and a forged `failed` status published by
 * anyone who can reach Redis, a 50,000-member demand set, the lease deleted over and over and then
 * stolen, and a recorded tick batch replayed later. Clients must see none of the forgeries, and the
 * broker must never hold two connections.
 */

const TTL_MS = 900;
const SECRET = 'a-shared-cluster-secret-of-32-bytes!';
const SBIN = { symbol: 'SBIN', exchange: 'NSE', mode: 1 };
const FORGED_PAISE = 100;
const rigs = clusterRigsPerTest(TTL_MS, { secret: SECRET });

const forgedPrices = (c: OpenAlgoClient) => c.marketData().filter((m) => m.data.ltp === FORGED_PAISE / 100);
const fedSince = async (c: OpenAlgoClient, what: string) => {
  const mark = c.marketData().length;
  await waitFor(() => c.marketData().length > mark, what, 15_000);
};

describe('gateway --cluster --cluster-secret against an attacker with access to Redis', () => {
  it('gives clients no forged data and the broker never two upstream connections', async () => {
    const { rig } = await rigs.start();
    const { gateway: other, client: b } = await rigs.second();
    const a = await rig.connect();
    for (const client of [a, b]) {
      expect((await client.authenticate()).status).toBe('success');
      await client.request({ action: 'subscribe', ...SBIN });
    }
    for (const client of [a, b]) await fedSince(client, 'ticks on both gateways');
    const redis = rigs.inspector();
    const { userId, broker } = USER;
    // A sealed tick batch recorded off the wire, to be replayed once it is old.
    const listener = rigs.inspector();
    const recorded = new Promise<Buffer>((resolve) => listener.once('messageBuffer', (_channel: Buffer, message: Buffer) => resolve(message)));
    await listener.subscribe(ClusterKey.ticks(userId, broker));
    const replay = await recorded;

    // Forged ticks (SBIN at ₹1.00) and a forged `failed` status, as an attacker without the secret makes them.
    const forgedTick = encodeRelayBatch({
      origin: 'gw-attacker',
      publishedAtMs: Date.now(),
      frames: [encodeTick({ mode: 1, exchangeType: 1, token: '3045', sequenceNumber: 1, exchangeTimestamp: Date.now(), lastTradedPrice: FORGED_PAISE })],
    });
    const forgedStatus = encodeRelayedStatus({ origin: 'gw-attacker', status: { state: 'failed', message: 'forged by the attacker' } });
    for (let i = 0; i < 20; i++) {
      await redis.publish(ClusterKey.ticks(userId, broker), forgedTick);
      await redis.publish(ClusterKey.status(userId, broker), forgedStatus);
    }

    // One oversized demand set: refused, never loaded.
    const huge = ClusterKey.demand(userId, broker, 'gw-attacker');
    for (let i = 0; i < 50_000; i += 5_000) await redis.sadd(huge, ...Array.from({ length: 5_000 }, (_, j) => `1|1|${900_000 + i + j}`));
    await redis.publish(ClusterKey.demandChanged(userId, broker), 'gw-attacker');

    // The lease deleted every 50 ms for 3 s, then overwritten with the attacker's own value.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      await redis.del(ClusterKey.lease(userId, broker));
      await sleep(50);
    }
    await redis.set(ClusterKey.lease(userId, broker), 'gw-attacker:1', 'PX', 3 * TTL_MS);
    // A stolen lease stops data; /health says so instead of "open".
    const stolen = await waitFor(async () => {
      const h = await gatewayHealth(other);
      return h.cluster.leases[0]?.holder === 'unverified' ? h : undefined;
    }, 'gw-b to see a holder it never heard from');
    expect(stolen.status).toBe('unavailable');
    expect(stolen.reasons).toEqual([expect.stringContaining('names a holder that sent no authenticated status')]);
    await sleep(3 * TTL_MS);
    for (const client of [a, b]) await fedSince(client, 'ticks again once the attack stopped');
    // The recorded batch is older than a TTL by now: sealed, but a replay.
    await redis.publish(ClusterKey.ticks(userId, broker), replay);
    const staleTicks = async () => {
      const text = await (await fetch(`${other.adminUrl}/metrics`)).text();
      return Number(/stormcheck_cluster_stale_messages_total\{channel="ticks"\} (\d+)/.exec(text)?.[1]);
    };
    await waitFor(async () => (await staleTicks()) > 0, 'the replayed batch to be dropped as stale');

    for (const client of [a, b]) {
      expect(forgedPrices(client)).toEqual([]);
      expect(client.received.some((m) => m.message === 'forged by the attacker')).toBe(false);
    }
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
    expect(rig.broker.stats().rejected['429']).toBe(0);
    const metrics = await (await fetch(`${other.adminUrl}/metrics`)).text();
    expect(Number(/stormcheck_cluster_forged_messages_total\{channel="ticks"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/stormcheck_cluster_forged_messages_total\{channel="status"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(rig.logs.count('cluster.demand.refused')).toBeGreaterThan(0);
    expect((await gatewayHealth(other)).cluster.warnings).toBeUndefined();
  }, 60_000);
});
