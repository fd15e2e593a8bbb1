import { afterEach, describe, expect, it } from 'vitest';
import instruments from '../../gateway/data/instruments.json' with { type: 'json' };
import { upstreamKeyId } from '../../gateway/upstream/upstream-key.ts';
import { ClusterLogEvent } from '../../gateway/cluster/cluster-log.ts';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import type { Gateway } from '../../gateway/index.ts';
import { USER, waitFor, type Rig } from '../support/gateway-harness.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';

const TTL_MS = 1_000;
/** Small enough for the 50 bundled equities to pass it. */
const CAP = 20;
const LIMIT_MESSAGE = `Subscription limit reached: AngelOne allows ${CAP} tokens per connection`;
const LTP = 1;
const NSE = 1;
const equities = instruments.filter((i) => i.exch_seg === 'NSE' && i.instrumenttype === '');

const rigs = clusterRigsPerTest(TTL_MS);
let sampler: NodeJS.Timeout | undefined;

afterEach(() => {
  clearInterval(sampler);
  sampler = undefined;
});

const symbols = (list: typeof equities) => list.map((i) => ({ symbol: i.name, exchange: 'NSE' }));
const upstreamTokens = (r: Rig): string[] => r.broker.connectionSubscriptions().flatMap((c) => c.subscriptions.map((s) => s.token));

async function overCapMetric(gateway: Gateway): Promise<number | undefined> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  const value = /^stormcheck_cluster_union_over_cap (\S+)$/m.exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}

/** The most tokens any one upstream connection held at any 2 ms sample since the call. */
function sampleUpstream(r: Rig): () => number {
  let peak = 0;
  sampler = setInterval(() => {
    for (const c of r.broker.connectionSubscriptions()) peak = Math.max(peak, c.subscriptions.length);
  }, 2);
  return () => peak;
}

describe('gateway --cluster: AngelOne tokens-per-connection cap across gateways', () => {
  it('refuses the items that would take the cluster-wide union past the cap, as one gateway does', async () => {
    const { rig } = await rigs.start({ maxTokens: CAP, maxUpstream: 1 });
    const { gateway: other, client: b } = await rigs.second({ maxTokens: CAP, maxUpstream: 1 });
    const peak = sampleUpstream(rig);
    const mine = equities.slice(0, 15);
    const theirs = equities.slice(15, 25);

    const a = await rig.connect();
    expect((await a.authenticate()).status).toBe('success');
    expect((await a.request({ action: 'subscribe', symbols: symbols(mine), mode: LTP })).status).toBe('success');
    await waitFor(() => upstreamTokens(rig).length === mine.length, `${mine.length} upstream tokens`, 10_000);

    expect((await b.authenticate()).status).toBe('success');
    await waitFor(async () => (await gatewayHealth(other)).cluster.leases[0]?.clusterKeys === mine.length, 'gw-b to read the union');
    const reply = await b.request({ action: 'subscribe', symbols: symbols(theirs), mode: LTP });
    expect(reply.status).toBe('partial');
    const room = CAP - mine.length;
    expect(reply.subscriptions.slice(0, room).map((s: any) => s.status)).toEqual(Array(room).fill('success'));
    expect(reply.subscriptions.slice(room)).toEqual(
      theirs.slice(room).map((i) => expect.objectContaining({ symbol: i.name, status: 'error', message: LIMIT_MESSAGE })),
    );

    // A key some gateway already holds takes no token: it is not refused at the cap.
    const shared = await b.request({ action: 'subscribe', symbol: mine[0]!.name, exchange: 'NSE', mode: LTP });
    expect(shared.status).toBe('success');

    await waitFor(() => upstreamTokens(rig).length === CAP, `${CAP} upstream tokens`, 10_000);
    const mark = b.received.length;
    await waitFor(() => b.received.slice(mark).some((m) => m.type === 'market_data' && m.symbol === theirs[0]!.name), 'ticks for a gw-b symbol');
    expect(peak()).toBe(CAP);
    expect(rig.broker.connectionSubscriptions()).toHaveLength(1);
  }, 30_000);

  it('the holder subscribes at most the cap when gateways raced past it, reports the overflow once, and catches up when demand drops', async () => {
    // A broker with the same cap refuses a subscribe that would pass it, as AngelOne does.
    const { rig } = await rigs.start({ maxTokens: CAP, maxUpstream: 1 }, { maxTokens: CAP });
    const peak = sampleUpstream(rig);
    const mine = equities.slice(0, 15);
    const ghost = equities.slice(15, 25);
    const a = await rig.connect();
    expect((await a.authenticate()).status).toBe('success');
    expect((await a.request({ action: 'subscribe', symbols: symbols(mine), mode: LTP })).status).toBe('success');
    await waitFor(() => upstreamTokens(rig).length === mine.length, `${mine.length} upstream tokens`, 10_000);
    expect(await overCapMetric(rig.gateway)).toBe(0);

    // Another gateway's demand, written as a gateway writes it, that no cluster-wide check ever saw.
    const inspector = rigs.inspector();
    const ghostSet = ClusterKey.demand(USER.userId, USER.broker, 'gw-ghost');
    const changed = ClusterKey.demandChanged(USER.userId, USER.broker);
    await inspector.sadd(ghostSet, ...ghost.map((i) => upstreamKeyId(NSE, i.token, LTP)));
    await inspector.pexpire(ghostSet, 60_000);
    await inspector.publish(changed, 'gw-ghost');

    const over = mine.length + ghost.length - CAP;
    await waitFor(async () => (await overCapMetric(rig.gateway)) === over, `the metric to count ${over} keys left out`);
    expect(upstreamTokens(rig).length).toBe(CAP);
    expect(upstreamTokens(rig)).toEqual(expect.arrayContaining(mine.map((i) => i.token)));
    const warnings = () => rig.logs.records().filter((r) => r.event === ClusterLogEvent.unionOverCap);
    expect(warnings()).toEqual([expect.objectContaining({ level: 40, leftOut: over, cap: CAP })]);

    // Still over the cap: the episode goes on, with no second warning.
    const more = equities[25]!;
    await inspector.sadd(ghostSet, upstreamKeyId(NSE, more.token, LTP));
    await inspector.publish(changed, 'gw-ghost');
    await waitFor(async () => (await overCapMetric(rig.gateway)) === over + 1, 'one more key left out');
    expect(warnings()).toHaveLength(1);

    // Demand drops back to the cap: every key left out is subscribed.
    const dropped = mine.slice(0, over + 1);
    expect((await a.request({ action: 'unsubscribe', symbols: symbols(dropped), mode: LTP })).status).toBe('success');
    const wanted = [...mine.slice(over + 1), ...ghost, more].map((i) => i.token);
    await waitFor(() => upstreamTokens(rig).length === CAP && wanted.every((t) => upstreamTokens(rig).includes(t)), 'the keys left out to be subscribed');
    expect(await overCapMetric(rig.gateway)).toBe(0);
    expect(rig.logs.count(ClusterLogEvent.unionUnderCap)).toBe(1);
    expect(peak()).toBe(CAP);
  }, 30_000);
});
