import { Redis } from 'ioredis';

/**
 * How the cluster talks to Redis. Commands fail at once while the connection is down instead of
 * queueing: a renewal that waits in a queue and lands after the holder fenced itself would be useless,
 * and the lease logic judges time itself. ioredis keeps reconnecting and resubscribes pub/sub channels
 * when Redis is back.
 */
function redisOptionsFor(commandTimeoutMs: number) {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1_000, commandTimeoutMs),
    retryStrategy: () => 200,
    lazyConnect: true,
  } as const;
}

export class ClusterUnavailableError extends Error {
  readonly code = 'CLUSTER_UNAVAILABLE';
}

/** Connects one client, or rejects with a one-line reason (start-up: the CLI exits 2). */
export async function connectRedis(url: string, commandTimeoutMs: number): Promise<Redis> {
  const redis = new Redis(url, { ...redisOptionsFor(commandTimeoutMs), retryStrategy: () => null });
  // Without a listener, ioredis reports connection errors on stderr as unhandled.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new ClusterUnavailableError(`cannot reach Redis at ${url}: ${(err as Error).message}`);
  }
  // Reconnect for ever once we were up; the lease logic decides what an outage means.
  redis.options.retryStrategy = () => 200;
  return redis;
}
