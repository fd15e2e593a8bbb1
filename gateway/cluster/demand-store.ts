import type { BrokerName } from '../../protocol/openalgo/index.ts';
import { ClusterKey } from './redis-keys.ts';

/** The Redis commands the demand store uses (ioredis signatures). */
export interface DemandClient {
  multi(): {
    del(key: string): unknown;
    sadd(key: string, ...members: string[]): unknown;
    pexpire(key: string, ms: number): unknown;
    publish(channel: string, message: string): unknown;
    exec(): Promise<unknown>;
  };
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  sunion(...keys: string[]): Promise<string[]>;
}

/**
 * Cluster-wide demand: each gateway keeps one Redis set per (user, broker) of the upstream key ids its
 * clients hold, with a TTL it refreshes, so a dead gateway's demand disappears on its own. The owner
 * subscribes upstream to the union.
 */
export class DemandStore {
  constructor(
    private readonly redis: DemandClient,
    private readonly gatewayId: string,
    private readonly ttlMs: number,
  ) {}

  /** Replaces this gateway's set and tells the owner to look again. */
  async publish(userId: string, broker: BrokerName, keyIds: readonly string[]): Promise<void> {
    const key = ClusterKey.demand(userId, broker, this.gatewayId);
    const tx = this.redis.multi();
    tx.del(key);
    if (keyIds.length > 0) {
      tx.sadd(key, ...keyIds);
      tx.pexpire(key, this.ttlMs);
    }
    tx.publish(ClusterKey.demandChanged(userId, broker), this.gatewayId);
    await tx.exec();
  }

  /**
   * The union of every other gateway's set. A gateway's own demand is its in-memory keys, which are
   * newer than its set in Redis (an unsubscribe the set does not show yet must not hold a token).
   */
  async othersUnion(userId: string, broker: BrokerName): Promise<Set<string>> {
    const own = ClusterKey.demand(userId, broker, this.gatewayId);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', ClusterKey.demandPattern(userId, broker), 'COUNT', 100);
      keys.push(...batch.filter((key) => key !== own));
      cursor = next;
    } while (cursor !== '0');
    return new Set(keys.length > 0 ? await this.redis.sunion(...keys) : []);
  }
}
