import { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import type { MockBrokerOptions } from '../../mock-broker/index.ts';
import { RedisServer } from './redis-server.ts';
import type { ClusterOptions } from '../../gateway/cluster/cluster-registry.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../gateway/index.ts';
import { FAST, LogCapture, OpenAlgoClient, startRig, USER, type Rig } from './gateway-harness.ts';

export interface ClusterRigs {
  /** A fresh redis-server, then a rig (mock broker + gateway `gw-a`) clustered on it. */
  start(gatewayOptions?: GatewayOptions, brokerOptions?: MockBrokerOptions): Promise<{ rig: Rig; redis: RedisServer }>;
  /** Gateway `gw-b` on the same broker and Redis, and one client connected to it (not yet authenticated). */
  second(options?: GatewayOptions): Promise<{ gateway: Gateway; client: OpenAlgoClient }>;
  /** A plain Redis client on the test's redis-server, for looking at keys. */
  inspector(): Redis;
}

/** Cluster tests' set-up: everything `start`, `second` and `inspector` open is closed after each test. */
export function clusterRigsPerTest(ttlMs: number, extra: Partial<ClusterOptions> = {}): ClusterRigs {
  let redis: RedisServer | undefined;
  let rig: Rig | undefined;
  let seconds: Gateway[] = [];
  let clients: OpenAlgoClient[] = [];
  let inspectors: Redis[] = [];
  afterEach(async () => {
    for (const client of clients) client.ws.terminate();
    for (const inspector of inspectors) inspector.disconnect();
    await Promise.all(seconds.map((g) => g.close()));
    await rig?.close();
    await redis?.stop();
    redis = rig = undefined;
    seconds = [];
    clients = [];
    inspectors = [];
  });
  const cluster = (gatewayId: string): ClusterOptions => ({ url: redis!.url, ttlMs, gatewayId, ...extra });
  return {
    async start(gatewayOptions = {}, brokerOptions = {}) {
      redis = await RedisServer.start();
      rig = await startRig({ cluster: cluster('gw-a'), ...gatewayOptions }, brokerOptions);
      return { rig, redis };
    },
    async second(options = {}) {
      const gateway = await startGateway({
        port: 0,
        adminPort: 0,
        brokerUrl: rig!.broker.url,
        users: [USER],
        logDestination: new LogCapture(),
        ...FAST,
        cluster: cluster('gw-b'),
        ...options,
      });
      seconds.push(gateway);
      const client = await OpenAlgoClient.open(gateway.url);
      clients.push(client);
      return { gateway, client };
    },
    inspector() {
      const inspector = new Redis(redis!.url);
      inspectors.push(inspector);
      return inspector;
    },
  };
}

export async function gatewayHealth(gateway: Gateway): Promise<Record<string, any>> {
  return (await (await fetch(`${gateway.adminUrl}/health`)).json()) as Record<string, any>;
}
