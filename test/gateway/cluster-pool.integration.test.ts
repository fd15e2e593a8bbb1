import { describe, expect, it } from 'vitest';
import instruments from '../../gateway/data/instruments.json' with { type: 'json' };
import { USER, waitFor } from '../support/gateway-harness.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';

/** With --cluster the lease holder runs the upstream pool (docs/gateway.md#upstream-pool). */

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
