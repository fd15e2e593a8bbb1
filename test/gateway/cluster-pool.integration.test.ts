import { describe, expect, it } from 'vitest';
import instruments from '../../gateway/data/instruments.json' with { type: 'json' };
import { OpenAlgoClient, USER, waitFor } from '../support/gateway-harness.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';

/**
 * With --cluster the lease holder runs the upstream pool (docs/gateway.md#upstream-pool), and a surviving
 * gateway serves the last value on subscribe (docs/gateway.md#last-value-on-subscribe) during a failover.
 */

const CAP = 3;
const rigs = clusterRigsPerTest(1_000, { secret: 'a-shared-cluster-secret-of-32-bytes!' });
const equities = instruments.filter((i) => i.exch_seg === 'NSE' && i.instrumenttype === '');

describe('gateway --cluster with more symbols than one connection carries', () => {
  it("the holder's pool opens a second connection for another gateway's client, never more than --max-upstream", async () => {
    const { rig } = await rigs.start({ maxTokens: CAP }, { maxTokens: CAP, limit: 3 });
    const { client: b } = await rigs.second({ maxTokens: CAP });
    const a = await rig.connect();
    expect((await a.authenticate()).status).toBe('success');
    await waitFor(async () => (await gatewayHealth(rig.gateway)).cluster.leases[0]?.holder === 'self', 'gw-a to hold the lease', 15_000);
    expect((await b.authenticate()).status).toBe('success');

    const wanted = equities.slice(0, 2 * CAP);
    const reply = await b.request({ action: 'subscribe', symbols: wanted.map((i) => ({ symbol: i.name, exchange: 'NSE' })), mode: 1 });
    expect(reply.subscriptions.every((s: { status: string }) => s.status !== 'error')).toBe(true);
    const fed = new Set<string>();
    await waitFor(() => {
      for (const m of b.marketData()) fed.add(m.symbol);
      return fed.size === wanted.length;
    }, 'ticks on every symbol through the relay', 15_000);

    expect(rig.broker.stats().peak[USER.clientCode]).toBe(2);
    expect(rig.broker.stats().rejected['429']).toBe(0);
    const over = await b.request({ action: 'subscribe', symbol: equities[2 * CAP]!.name, exchange: 'NSE', mode: 1 });
    expect(over.subscriptions[0].message).toBe("Subscription limit reached: the user's 2 upstream connections (--max-upstream) hold 6 tokens, 3 each, all in use");
  }, 45_000);
});

describe('gateway --cluster: last value on subscribe during a failover', () => {
  it('a client that subscribes on a surviving gateway while no gateway holds the upstream gets the last tick at once', async () => {
    const { rig } = await rigs.start();
    const { gateway: other, client: b } = await rigs.second();
    const a = await rig.connect();
    expect((await a.authenticate()).status).toBe('success');
    await waitFor(async () => (await gatewayHealth(rig.gateway)).cluster.leases[0]?.holder === 'self', 'gw-a to hold the lease', 15_000);
    expect((await b.authenticate()).status).toBe('success');
    await b.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    await waitFor(() => b.marketData().length > 0, 'relayed ticks on gw-b', 15_000);

    // The holder goes; gw-b waits out the fence before it dials, and nobody sends ticks meanwhile.
    await rig.gateway.close();
    const c = await OpenAlgoClient.open(other.url);
    rig.clients.push(c);
    expect((await c.authenticate()).status).toBe('success');
    await c.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    const first = await waitFor(() => c.marketData()[0], 'the snapshot');

    expect(first.snapshot).toBe(true);
    // The tick gw-b last relayed to its other client, not one of a new upstream.
    expect(b.marketData().map((m) => m.data.timestamp)).toContain(first.data.timestamp);
  }, 45_000);
});
