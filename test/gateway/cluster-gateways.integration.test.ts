import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { ClusterLogEvent } from '../../gateway/cluster/cluster-log.ts';
import { GatewayProcess } from '../support/cluster-gateway-process.ts';
import { OpenAlgoClient, USER, waitFor } from '../support/gateway-harness.ts';
import { RedisServer } from '../support/redis-server.ts';
import { tempDir } from '../support/run-stormcheck.ts';

/**
 * Three gateway processes on one Redis, one mock broker with limit 2, clients of one user on all three.
 * A short lease TTL keeps failover within seconds; the steps run in order on one shared cluster.
 */
const TTL_MS = 1_500;
const SYMBOLS = ['SBIN', 'RELIANCE', 'INFY'] as const;
const SHARED = 'TCS';
const CLIENTS_PER_GATEWAY = 2;
const TOKENS: Record<string, string> = { SBIN: '3045', RELIANCE: '2885', INFY: '1594', TCS: '11536' };

let redis: RedisServer;
let broker: MockBroker;
let dir: Awaited<ReturnType<typeof tempDir>>;
const gateways: GatewayProcess[] = [];
const clients: { gateway: number; client: OpenAlgoClient; symbols: string[] }[] = [];

function symbolsSeenSince(client: OpenAlgoClient, from: number): Set<string> {
  return new Set(client.received.slice(from).filter((m) => m.type === 'market_data').map((m) => m.symbol as string));
}

/** Waits until every client still connected to a live gateway has ticks for all its symbols after `marks`. */
async function everyClientTicks(live: (gateway: number) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const marks = clients.map(({ client }) => client.received.length);
  await waitFor(
    () =>
      clients.every(({ gateway, client, symbols }, i) => {
        if (!live(gateway)) return true;
        const seen = symbolsSeenSince(client, marks[i]!);
        return symbols.every((s) => seen.has(s));
      }),
    what,
    timeoutMs,
  );
}

async function owners(): Promise<number[]> {
  const found: number[] = [];
  for (const [i, gateway] of gateways.entries()) {
    if (gateway.exitedAlready) continue;
    const health = await gateway.health();
    if (health.cluster.leases.some((l: { holder: string }) => l.holder === 'self')) found.push(i);
  }
  return found;
}

function peakConnections(): number {
  return broker.stats().peak[USER.clientCode] ?? 0;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  broker = await startMockBroker({
    port: 0,
    limit: 2,
    tickMs: 50,
    logLevel: 'silent',
    accounts: [{ clientCode: USER.clientCode, apiKey: USER.brokerApiKey, feedToken: USER.feedToken, authToken: USER.authToken }],
  });
  dir = await tempDir();
  const users = await dir.file('users.json', JSON.stringify([USER]));
  const args = ['--broker-url', broker.url, '--users', users, '--cluster', redis.url, '--lease-ttl-ms', String(TTL_MS)];
  gateways.push(...(await Promise.all([0, 1, 2].map((i) => GatewayProcess.start(`gw${i}`, args)))));
  for (const [i, gateway] of gateways.entries()) {
    for (let c = 0; c < CLIENTS_PER_GATEWAY; c++) {
      const client = await OpenAlgoClient.open(gateway.url);
      expect((await client.authenticate()).status).toBe('success');
      const symbols = [SYMBOLS[i]!, SHARED];
      for (const symbol of symbols) await client.request({ action: 'subscribe', symbol, exchange: 'NSE', mode: 1 });
      clients.push({ gateway: i, client, symbols });
    }
  }
}, 60_000);

afterAll(async () => {
  for (const { client } of clients) client.ws.terminate();
  await Promise.all(gateways.map((g) => g.stop()));
  await broker?.close();
  await redis?.stop();
  await dir?.cleanup();
}, 30_000);

describe('three gateway processes on one Redis', () => {
  it('feeds every client on every gateway through one upstream connection', async () => {
    await everyClientTicks(() => true, 'ticks for every symbol on every client');
    expect(await owners()).toHaveLength(1);
    expect(peakConnections()).toBe(1);
    const subscribed = broker.connectionSubscriptions();
    expect(subscribed).toHaveLength(1);
    expect(subscribed[0]!.subscriptions.map((s) => s.token).sort()).toEqual(Object.values(TOKENS).sort());
  }, 30_000);

  it('hands over within TTL + 2 s when the owner is killed with SIGKILL, never two connections at once', async () => {
    const [owner] = await owners();
    const acceptedBefore = broker.events().filter((e) => e.type === 'accepted').length;
    const killedAt = Date.now();
    gateways[owner!]!.signal('SIGKILL');
    await gateways[owner!]!.exited;
    const accepted = await waitFor(
      () => broker.events().filter((e) => e.type === 'accepted')[acceptedBefore],
      'a new upstream connection',
      TTL_MS + 10_000,
    );
    expect(accepted.time - killedAt).toBeLessThanOrEqual(TTL_MS + 2_000);
    await everyClientTicks((g) => g !== owner, 'ticks on the surviving gateways');
    expect(peakConnections()).toBe(1);
  }, 30_000);

  it('loses no subscription when Redis restarts (and loses every key)', async () => {
    const restartedAt = Date.now();
    await redis.restart();
    const live = (g: number) => !gateways[g]!.exitedAlready;
    await waitFor(
      () => gateways.some((g) => g.logs.some((l) => l.event === ClusterLogEvent.leaseAcquired && l.time > restartedAt)),
      'a lease taken on the restarted Redis',
      TTL_MS * 4 + 10_000,
    );
    await everyClientTicks(live, 'ticks after the Redis restart', 20_000);
    expect(peakConnections()).toBe(1);
    const wanted = new Set(clients.filter(({ gateway }) => live(gateway)).flatMap(({ symbols }) => symbols.map((s) => TOKENS[s]!)));
    const upstream = broker.connectionSubscriptions();
    expect(upstream).toHaveLength(1);
    expect(new Set(upstream[0]!.subscriptions.map((s) => s.token))).toEqual(wanted);
  }, 40_000);

  it('an owner paused with SIGSTOP for longer than the TTL drops its upstream on SIGCONT before anything else', async () => {
    const [owner] = await owners();
    const paused = gateways[owner!]!;
    const stoppedAt = Date.now();
    paused.signal('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 1_000));
    paused.signal('SIGCONT');
    const resumedAt = Date.now();
    const afterResume = await waitFor(() => {
      const lines = paused.logs.filter((l) => l.time >= stoppedAt + TTL_MS);
      return lines.length > 0 && lines;
    }, 'a log line from the resumed gateway');
    expect(afterResume[0]).toMatchObject({ event: ClusterLogEvent.leaseLost, reason: 'expired' });
    await waitFor(() => broker.events().find((e) => e.type === 'closed' && e.time >= resumedAt - 50), "the paused owner's upstream to close");
    await everyClientTicks((g) => !gateways[g]!.exitedAlready, 'ticks after the pause', 20_000);
  }, 40_000);
});
