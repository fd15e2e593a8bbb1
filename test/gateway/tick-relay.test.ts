import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ClusterMetrics } from '../../gateway/cluster/cluster-metrics.ts';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import { decodeRelayBatch, encodeRelayBatch } from '../../gateway/cluster/relay-frame.ts';
import { encodeRelayedStatus } from '../../gateway/cluster/status-frame.ts';
import { TickRelay } from '../../gateway/cluster/tick-relay.ts';
import type { BrokerStatusUpdate } from '../../gateway/upstream/adapter-contract.ts';
import { decodeTick, encodeTick } from '../../protocol/smartapi/index.ts';
import { USER } from '../support/gateway-harness.ts';

const frameOf = (token: string): Buffer =>
  encodeTick({ mode: 1, exchangeType: 1, token, sequenceNumber: 1, exchangeTimestamp: 5, lastTradedPrice: 250075 });

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function relayOn(gatewayId: string, lease: { holds: boolean; owns: boolean }) {
  const handlers = new Map<string, (message: Buffer) => void>();
  const events: string[] = [];
  const published: Buffer[] = [];
  const heard: BrokerStatusUpdate[] = [];
  const registry = new Registry();
  const relay = new TickRelay(
    USER,
    {
      gatewayId,
      keys: ClusterKey,
      channels: {
        follow: (channel, handler) => {
          handlers.set(channel, handler);
          return () => handlers.delete(channel);
        },
      },
      publish: async (_channel, message) => {
        events.push('publish');
        published.push(message);
      },
      metrics: new ClusterMetrics(registry),
    },
    pino({ level: 'silent' }),
    {
      holdsLease: () => lease.holds,
      ownsUpstream: () => lease.owns,
      deliver: (tick) => events.push(`deliver ${tick.token}`),
      heardStatus: (status) => void heard.push(status),
    },
  );
  relay.start();
  const hear = (channel: string, message: Buffer): void => handlers.get(channel)!(message);
  return { relay, events, published, heard, registry, hear, handlers };
}

describe('tick relay', () => {
  it("the holder publishes one message per turn with the broker's frames, before its own clients get the ticks", async () => {
    const { relay, events, published } = relayOn('gw-a', { holds: true, owns: true });

    relay.ownTick(decodeTick(frameOf('2885')), frameOf('2885'));
    relay.ownTick(decodeTick(frameOf('3045')), frameOf('3045'));
    await nextTurn();

    expect(events).toEqual(['publish', 'deliver 2885', 'deliver 3045']);
    const batch = decodeRelayBatch(published[0]!);
    expect(batch.origin).toBe('gw-a');
    expect(batch.frames).toEqual([frameOf('2885'), frameOf('3045')]);
  });

  it('ticks read after the lease is gone reach nobody', async () => {
    const { relay, events } = relayOn('gw-a', { holds: false, owns: true });

    relay.ownTick(decodeTick(frameOf('2885')), frameOf('2885'));
    relay.ownStatus({ state: 'open' });
    await nextTurn();

    expect(events).toEqual([]);
  });

  it("another gateway's ticks and states reach this gateway's clients; its own echo does not", () => {
    const { events, heard, hear } = relayOn('gw-a', { holds: false, owns: false });
    const { userId, broker } = USER;

    hear(ClusterKey.ticks(userId, broker), encodeRelayBatch({ origin: 'gw-b', publishedAtMs: Date.now(), frames: [frameOf('2885')] }));
    hear(ClusterKey.ticks(userId, broker), encodeRelayBatch({ origin: 'gw-a', publishedAtMs: Date.now(), frames: [frameOf('3045')] }));
    hear(ClusterKey.status(userId, broker), encodeRelayedStatus({ origin: 'gw-b', status: { state: 'open' } }));

    expect(events).toEqual(['deliver 2885']);
    expect(heard).toEqual([{ state: 'open' }]);
  });

  it('a gateway that owns the upstream ignores what others relay', () => {
    const { events, heard, hear } = relayOn('gw-a', { holds: true, owns: true });
    const { userId, broker } = USER;

    hear(ClusterKey.ticks(userId, broker), encodeRelayBatch({ origin: 'gw-b', publishedAtMs: Date.now(), frames: [frameOf('2885')] }));
    hear(ClusterKey.status(userId, broker), encodeRelayedStatus({ origin: 'gw-b', status: { state: 'failed' } }));

    expect(events).toEqual([]);
    expect(heard).toEqual([]);
  });

  it('a relay message that does not decode is counted and dropped', async () => {
    const { events, hear, registry } = relayOn('gw-a', { holds: false, owns: false });

    hear(ClusterKey.ticks(USER.userId, USER.broker), Buffer.from([200, 1, 2]));

    expect(events).toEqual([]);
    expect(await registry.getSingleMetricAsString('stormcheck_cluster_relay_bad_frames_total')).toMatch(/ 1$/m);
  });

  it('stop unfollows both channels', () => {
    const { relay, handlers } = relayOn('gw-a', { holds: false, owns: false });

    relay.stop();

    expect(handlers.size).toBe(0);
  });
});
