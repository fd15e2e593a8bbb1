import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterKey } from '../gateway/cluster/redis-keys.ts';
import { startGateway, type Gateway } from '../gateway/index.ts';
import { LogEvent } from '../gateway/logger.ts';
import { FAST, LogCapture, OpenAlgoClient, startRig, USER, waitFor, type Rig } from './gateway-harness.ts';
import { RedisServer } from '../fixtures/redis/redis-server.ts';

const TTL_MS = 1_000;
const LINGER_MS = 400;
let rig: Rig | undefined;
let other: Gateway | undefined;
let otherClient: OpenAlgoClient | undefined;
let redis: RedisServer | undefined;
let inspector: Redis | undefined;

afterEach(async () => {
  otherClient?.ws.terminate();
  inspector?.disconnect();
  await other?.close();
  await rig?.close();
  await redis?.stop();
  rig = other = otherClient = redis = inspector = undefined;
});

async function health(gateway: Gateway): Promise<Record<string, any>> {
  return (await (await fetch(`${gateway.adminUrl}/health`)).json()) as Record<string, any>;
}

async function subscribed(client: OpenAlgoClient): Promise<void> {
  expect((await client.authenticate()).status).toBe('success');
  expect((await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 })).status).toBe('success');
}

const ticksSince = (client: OpenAlgoClient, mark: number): number => client.received.slice(mark).filter((m) => m.type === 'market_data').length;

describe('gateway --cluster --linger-ms', () => {
  it('a holder whose clients all left lingers, then hands the lease to the gateway that still has clients, one upstream throughout', async () => {
    redis = await RedisServer.start();
    const cluster = (gatewayId: string) => ({ url: redis!.url, ttlMs: TTL_MS, gatewayId });
    rig = await startRig({ cluster: cluster('gw-a'), lingerMs: LINGER_MS });
    const a = await rig.connect();
    await subscribed(a);
    await waitFor(async () => (await health(rig!.gateway)).cluster.leases[0]?.holder === 'self', 'gw-a to hold the lease');

    other = await startGateway({ port: 0, adminPort: 0, brokerUrl: rig.broker.url, users: [USER], logDestination: new LogCapture(), ...FAST, lingerMs: LINGER_MS, cluster: cluster('gw-b') });
    otherClient = await OpenAlgoClient.open(other.url);
    await subscribed(otherClient);
    let mark = otherClient.received.length;
    await waitFor(() => ticksSince(otherClient!, mark) > 0, 'relayed ticks on gw-b');

    a.ws.close();
    await waitFor(() => rig!.logs.count(LogEvent.adapterLinger) === 1, 'gw-a to give up its idle member', 5_000);
    expect(rig.logs.text()).toContain(`No clients for ${LINGER_MS} ms; releasing angel adapter for user ${USER.userId}`);
    await waitFor(async () => (await health(other!)).cluster.leases[0]?.holder === 'self', 'gw-b to take the lease over', 5_000);
    expect((await health(rig.gateway)).adapters).toEqual([]);
    mark = otherClient.received.length;
    await waitFor(() => ticksSince(otherClient!, mark) > 0, 'ticks on gw-b from its own upstream');
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
    expect(rig.broker.stats().current[USER.clientCode]).toBe(1);

    // The last client anywhere leaves: gw-b lingers too, then the user's lease and broker slot are free.
    otherClient.ws.close();
    inspector = new Redis(redis.url);
    await waitFor(async () => (await inspector!.exists(ClusterKey.lease(USER.userId, USER.broker))) === 0, 'the lease to be released', 5_000);
    await waitFor(() => (rig!.broker.stats().current[USER.clientCode] ?? 0) === 0, 'the broker slot to be released');
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
  });
});
