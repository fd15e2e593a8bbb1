import { afterEach, describe, expect, it } from 'vitest';
import instruments from '../fixtures/instruments.json' with { type: 'json' };
import { startRig, waitFor, type Rig } from './gateway-harness.ts';
import { RedisServer } from '../fixtures/redis/redis-server.ts';

let rig: Rig | undefined;
let redis: RedisServer | undefined;

afterEach(async () => {
  await rig?.close();
  await redis?.stop();
  rig = redis = undefined;
});

describe('gateway --cluster: the order the holder subscribes upstream', () => {
  it('subscribes the cluster-wide union in token order, not in the hash order Redis returns a set in', async () => {
    redis = await RedisServer.start();
    rig = await startRig({ cluster: { url: redis.url, ttlMs: 1_000, gatewayId: 'gw-a' } });
    const equities = instruments.filter((i) => i.exch_seg === 'NSE' && i.instrumenttype === '');
    const client = await rig.connect();
    expect((await client.authenticate()).status).toBe('success');
    const reply = await client.request({ action: 'subscribe', symbols: equities.map((i) => ({ symbol: i.name, exchange: 'NSE' })), mode: 1 });
    expect(reply.status).toBe('success');

    const upstreamTokens = (): string[] => rig!.broker.connectionSubscriptions().flatMap((c) => c.subscriptions.map((s) => s.token));
    await waitFor(() => upstreamTokens().length === equities.length, `${equities.length} upstream subscriptions`, 10_000);
    const tokens = equities.map((i) => i.token);
    expect(upstreamTokens()).toEqual([...tokens].sort((a, b) => Number(a) - Number(b)));
    expect(tokens).not.toEqual([...tokens].sort((a, b) => Number(a) - Number(b)));
  });
});
