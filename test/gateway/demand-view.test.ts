import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ClusterMetrics } from '../../gateway/cluster/cluster-metrics.ts';
import { DemandView } from '../../gateway/cluster/demand-view.ts';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import type { UpstreamAdapter } from '../../gateway/upstream/adapter-contract.ts';
import { upstreamKeyId, type UpstreamKey } from '../../gateway/upstream/upstream-key.ts';
import { FakeClock } from '../support/gateway-fakes.ts';
import { USER } from '../support/gateway-harness.ts';

const key = (token: string): UpstreamKey => ({ mode: 1, exchangeType: 1, token });
const idOf = (token: string): string => upstreamKeyId(1, token, 1);
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A view of gateway gw-a whose Redis holds `others` for the other gateways; `held` is the upstream while it holds the lease. */
function viewOf(others: string[], maxTokens: number) {
  const state = { others: new Set(others), published: [] as string[][], held: undefined as UpstreamAdapter | undefined };
  const handlers = new Map<string, (message: Buffer) => void>();
  const clock = new FakeClock();
  const registry = new Registry();
  const view = new DemandView(
    USER,
    {
      gatewayId: 'gw-a',
      keys: ClusterKey,
      timing: { ttlMs: 6_000 },
      adapterDeps: { clock, maxTokens, maxUpstream: 1 },
      demand: {
        publish: async (_userId, _broker, keyIds) => void state.published.push([...keyIds]),
        othersUnion: async () => new Set(state.others),
      },
      channels: {
        follow: (channel, handler) => {
          handlers.set(channel, handler);
          return () => handlers.delete(channel);
        },
      },
      metrics: new ClusterMetrics(registry),
    },
    pino({ level: 'silent' }),
    () => state.held,
  );
  const otherGatewayChanged = (): void => handlers.get(ClusterKey.demandChanged(USER.userId, USER.broker))!(Buffer.from('gw-b'));
  return { view, state, clock, registry, handlers, otherGatewayChanged };
}

/** An upstream that records what it was asked to subscribe and unsubscribe. */
function recordingUpstream(): UpstreamAdapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    user: USER,
    broker: USER.broker,
    state: 'open',
    calls,
    subscribe: (keys) => void calls.push(`+${keys.map((k) => k.token).join(',')}`),
    unsubscribe: (keys) => void calls.push(`-${keys.map((k) => k.token).join(',')}`),
    remainingCapacity: () => 0,
    carries: () => false,
    upstreamConnections: () => 1,
    subscriptionCount: () => 0,
  };
}

describe('demand view', () => {
  it("checks the token cap against the union of every gateway's keys, not this gateway's alone", async () => {
    const { view } = viewOf([idOf('2885'), idOf('3045')], 3);
    view.start();
    await settled();

    view.subscribe([key('2885'), key('1594')]);

    expect(view.carries(key('3045'))).toBe(true);
    expect(view.localKeys()).toBe(2);
    expect(view.clusterKeys()).toBe(3);
    expect(view.remainingCapacity()).toBe(0);
  });

  it('a burst of subscribes in one turn is one write to Redis', async () => {
    const { view, state } = viewOf([], 10);

    view.subscribe([key('2885')]);
    view.subscribe([key('3045')]);
    view.unsubscribe([key('2885')]);
    await settled();

    expect(state.published).toEqual([[idOf('3045')]]);
  });

  it('the holder subscribes the union by token value up to the cap, and the rest as room frees', async () => {
    const { view, state, registry, otherGatewayChanged } = viewOf([idOf('100'), idOf('10'), idOf('9'), idOf('2')], 3);
    const upstream = recordingUpstream();
    view.start();
    state.held = upstream;

    view.tookUpstream();
    await settled();
    expect(upstream.calls).toEqual(['+2,9,10']);
    expect(await registry.getSingleMetricAsString('stormcheck_cluster_union_over_cap')).toMatch(/ 1$/m);

    state.others.delete(idOf('9'));
    otherGatewayChanged();
    await settled();
    expect(upstream.calls).toEqual(['+2,9,10', '-9', '+100']);
    expect(await registry.getSingleMetricAsString('stormcheck_cluster_union_over_cap')).toMatch(/ 0$/m);
  });

  it('refreshes its demand in Redis every third of the lease TTL until stopped, then withdraws it', async () => {
    const { view, state, clock, handlers } = viewOf([], 3);
    view.start();
    view.subscribe([key('2885')]);
    await settled();

    clock.advance(2_000);
    await settled();
    view.stop();
    await view.withdraw();

    expect(state.published).toEqual([[idOf('2885')], [idOf('2885')], []]);
    expect(clock.pending()).toEqual([]);
    expect(handlers.size).toBe(0);
  });
});
