import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelRouter } from '../../gateway/cluster/channels.ts';
import { DemandStore } from '../../gateway/cluster/demand-store.ts';
import { leaseValue } from '../../gateway/cluster/lease-store.ts';
import { connectRedis } from '../../gateway/cluster/redis-connection.ts';
import { RedisLeaseStore } from '../../gateway/cluster/redis-lease-store.ts';
import { decodeRelayBatch, encodeRelayBatch, RelayFrameError } from '../../gateway/cluster/relay-frame.ts';
import { ClusterKey } from '../../gateway/cluster/redis-keys.ts';
import { encodeTick, type LtpTick } from '../../protocol/smartapi/index.ts';
import { waitFor } from '../support/mock-broker-client.ts';
import { RedisServer } from '../support/redis-server.ts';

let server: RedisServer;
const clients: Redis[] = [];

async function client(): Promise<Redis> {
  const redis = await connectRedis(server.url, 500);
  clients.push(redis);
  return redis;
}

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  for (const redis of clients) redis.disconnect();
  await server.stop();
});

const TICK: LtpTick = {
  mode: 1,
  exchangeType: 1,
  token: '3045',
  sequenceNumber: 7,
  exchangeTimestamp: 1_764_000_000_123,
  lastTradedPrice: 81_250,
};

describe('cluster on a real redis-server', () => {
  it('claims with NX, an unchanged fence and a growing fencing token; renew and release only work for the holder', async () => {
    const store = new RedisLeaseStore(await client());
    const keys = { lease: ClusterKey.lease('u:1', 'angel'), fence: ClusterKey.fence('u:1', 'angel'), epoch: ClusterKey.epoch };
    const lease = keys.lease;
    const startedAt = Date.now();
    expect((await store.claim(keys, 'gw-a', 100, '')).claim, 'a fresh Redis starts in quarantine').toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await store.claim(keys, 'gw-a', 2_000)).claim, 'a look claims nothing').toBeUndefined();
    const first = await store.claim(keys, 'gw-a', 2_000, '');
    expect(first.claim!.takeover).toBe(false);
    expect(first.claim!.token).toBeGreaterThan(startedAt);
    const t = first.claim!.token;
    expect(await store.claim(keys, 'gw-b', 2_000, String(t))).toEqual({ view: { holder: leaseValue('gw-a', t), fence: String(t) } });
    expect(await store.renew(lease, leaseValue('gw-b', t), 2_000)).toBe(false);
    expect(await store.renew(lease, leaseValue('gw-a', t), 2_000)).toBe(true);
    expect(await store.release(lease, leaseValue('gw-b', t))).toBe(false);
    expect(await store.release(lease, leaseValue('gw-a', t))).toBe(true);
    expect((await store.claim(keys, 'gw-b', 50, String(t - 1))).claim, 'someone claimed since gw-b looked').toBeUndefined();
    expect((await store.claim(keys, 'gw-b', 50, String(t))).claim).toEqual({ token: t + 1, takeover: true });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.renew(lease, leaseValue('gw-b', t + 1), 2_000)).toBe(false);
    expect((await store.claim(keys, 'gw-a', 2_000, String(t + 1))).claim).toEqual({ token: t + 2, takeover: true });
  });

  it('keeps the union of the other gateways demand sets and forgets a gateway whose set expired', async () => {
    const redis = await client();
    const a = new DemandStore(redis, 'gw-a', 10_000);
    const b = new DemandStore(redis, 'gw-b', 80);
    const c = new DemandStore(redis, 'gw-c', 10_000);
    await a.publish('trader', 'angel', ['1|1|3045', '1|1|2885']);
    await b.publish('trader', 'angel', ['1|1|3045', '3|2|99926000']);
    expect(await c.othersUnion('trader', 'angel')).toEqual(new Set(['1|1|3045', '1|1|2885', '3|2|99926000']));
    expect(await a.othersUnion('trader', 'angel')).toEqual(new Set(['1|1|3045', '3|2|99926000']));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await c.othersUnion('trader', 'angel')).toEqual(new Set(['1|1|3045', '1|1|2885']));
    expect(await a.othersUnion('trader', 'angel')).toEqual(new Set());
    await a.publish('trader', 'angel', []);
    expect(await c.othersUnion('trader', 'angel')).toEqual(new Set());
  });

  it('relays a batch of ticks byte for byte over pub/sub and refuses a truncated one', async () => {
    const publisher = await client();
    const router = new ChannelRouter(await client());
    const received: Buffer[] = [];
    const channel = ClusterKey.ticks('trader', 'angel');
    router.follow(channel, (message) => received.push(message));
    const second: LtpTick = { ...TICK, token: '2885', lastTradedPrice: 130_010 };
    const frames = [encodeTick(TICK), encodeTick(second)];
    const frame = encodeRelayBatch({ origin: 'gw-a', publishedAtMs: 1_764_000_000_000.5, frames });
    // u8 id length | id | f64 BE publish time | (u16 BE length | the broker's frame as received)*
    const head = Buffer.concat([Buffer.from([4]), Buffer.from('gw-a'), Buffer.alloc(8)]);
    head.writeDoubleBE(1_764_000_000_000.5, 5);
    const lengths = frames.map((f) => Buffer.from([f.length >> 8, f.length & 0xff]));
    expect(frame.equals(Buffer.concat([head, lengths[0]!, frames[0]!, lengths[1]!, frames[1]!]))).toBe(true);
    await waitFor(async () => (await publisher.publish(channel, frame)) === 1, 'the subscriber to be listening');
    await waitFor(() => received.length > 0, 'the relayed tick');
    expect(received[0]!.equals(frame)).toBe(true);
    expect(decodeRelayBatch(received[0]!)).toEqual({ origin: 'gw-a', publishedAtMs: 1_764_000_000_000.5, ticks: [TICK, second], frames });
    expect(() => decodeRelayBatch(frame.subarray(0, 6))).toThrow(RelayFrameError);
    expect(() => decodeRelayBatch(frame.subarray(0, frame.length - 1))).toThrow(RelayFrameError);
  });

  it('resubscribes after redis-server restarts, including a channel followed while it was down', async () => {
    const publisher = await client();
    const subscriber = await client();
    const router = new ChannelRouter(subscriber);
    const got = new Map<string, number>();
    const follow = (channel: string) => router.follow(channel, () => got.set(channel, (got.get(channel) ?? 0) + 1));
    follow('before');
    await waitFor(async () => (await publisher.publish('before', 'x')) === 1, 'the first subscription');
    await server.restart();
    follow('during');
    await waitFor(() => subscriber.status === 'ready' && publisher.status === 'ready', 'both clients to reconnect');
    await waitFor(async () => (await publisher.publish('before', 'x')) === 1, 'the old channel to be resubscribed');
    await waitFor(async () => (await publisher.publish('during', 'x')) === 1, 'the channel followed while Redis was down');
    await waitFor(() => (got.get('before') ?? 0) >= 2 && got.get('during'), 'messages on both channels');
  });
});
