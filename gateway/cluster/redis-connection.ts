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

/** The URL with its password (and a user's name, which an ACL set-up may treat as secret too) replaced by `***`. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '' && parsed.username === '') return url;
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * A Redis failure as one line that names the command and the cause. ioredis reports a lost connection
 * as "Connection is closed." whatever happened; the socket's own error (ECONNREFUSED, NOAUTH, a TLS
 * failure), kept from the client's 'error' events, is the cause worth reading.
 */
export function describeRedisError(command: string, err: unknown, lastSocketError?: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = lastSocketError && /Connection is closed|Stream isn't writeable/.test(message) ? `${message} (${lastSocketError})` : message;
  return `${command} failed: ${cause}`;
}

/** The client's last connection error, for describeRedisError. */
const lastErrors = new WeakMap<Redis, string>();

export function lastRedisError(redis: Redis): string | undefined {
  return lastErrors.get(redis);
}

/** Connects one client, or rejects with a one-line reason (start-up: the CLI exits 2). */
export async function connectRedis(url: string, commandTimeoutMs: number): Promise<Redis> {
  const redis = new Redis(url, { ...redisOptionsFor(commandTimeoutMs), retryStrategy: () => null });
  // Without a listener, ioredis reports connection errors on stderr as unhandled.
  redis.on('error', (err: Error) => lastErrors.set(redis, err.message));
  let command = 'connect';
  try {
    await redis.connect();
    command = 'PING';
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new ClusterUnavailableError(`cannot reach Redis at ${redactRedisUrl(url)}: ${describeRedisError(command, err, lastErrors.get(redis))}`);
  }
  // Reconnect for ever once we were up; the lease logic decides what an outage means.
  redis.options.retryStrategy = () => 200;
  return redis;
}
