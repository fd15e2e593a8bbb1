import type { BrokerName } from '../../protocol/openalgo/index.ts';
import { MessageSeal } from './message-seal.ts';
import { ClusterKey, type ClusterKeys } from './redis-keys.ts';

/** The Redis commands the demand store uses (ioredis signatures). */
export interface DemandClient {
  multi(): {
    del(key: string): unknown;
    sadd(key: string, ...members: string[]): unknown;
    pexpire(key: string, ms: number): unknown;
    publish(channel: string, message: string | Buffer): unknown;
    exec(): Promise<unknown>;
  };
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  sscan(key: string, cursor: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
}

/** How much demand one read may load (docs/cluster.md#bounded-reads). */
export interface DemandCaps {
  /** Members one gateway's set may hold: more than its user's token budget is no gateway's doing. */
  perGateway: number;
  /** Members read across every gateway of one user. */
  perUser: number;
  /** Demand sets (gateways) read for one user. */
  gateways: number;
}

/** Why part of the demand in Redis was not used. */
export type DemandRejection =
  /** A set with more members than `perGateway`: refused whole, never loaded. */
  | { kind: 'oversized-set'; key: string }
  /** More than `perUser` members or `gateways` sets: the rest was not read. */
  | { kind: 'over-user-cap'; read: number }
  /** A member whose tag did not match (forged, or written with another secret). */
  | { kind: 'forged-member'; key: string };

export interface DemandStoreOptions {
  keys?: ClusterKeys;
  seal?: MessageSeal;
  caps: DemandCaps;
  rejected?(rejection: DemandRejection): void;
}

/** SSCAN/SCAN page size: each call returns about this many, so no reply is large. */
const PAGE = 100;

/**
 * Cluster-wide demand: each gateway keeps one Redis set per (user, broker) of the upstream key ids its
 * clients hold, with a TTL it refreshes, so a dead gateway's demand disappears on its own. The owner
 * subscribes upstream to the union. Reads are paged and capped: anyone who can write to Redis could
 * otherwise make every gateway load a set of millions.
 */
export class DemandStore {
  private readonly keys: ClusterKeys;
  private readonly seal: MessageSeal;

  constructor(
    private readonly redis: DemandClient,
    private readonly gatewayId: string,
    private readonly ttlMs: number,
    private readonly options: DemandStoreOptions = { caps: { perGateway: Infinity, perUser: Infinity, gateways: Infinity } },
  ) {
    this.keys = options.keys ?? ClusterKey;
    this.seal = options.seal ?? new MessageSeal(undefined);
  }

  /** Replaces this gateway's set and tells the owner to look again. */
  async publish(userId: string, broker: BrokerName, keyIds: readonly string[]): Promise<void> {
    const key = this.keys.demand(userId, broker, this.gatewayId);
    const channel = this.keys.demandChanged(userId, broker);
    const tx = this.redis.multi();
    tx.del(key);
    if (keyIds.length > 0) {
      tx.sadd(key, ...keyIds.map((id) => this.seal.tag(key, id)));
      tx.pexpire(key, this.ttlMs);
    }
    tx.publish(channel, this.seal.seal(channel, Buffer.from(this.gatewayId, 'utf8')));
    await tx.exec();
  }

  /**
   * The union of every other gateway's set. A gateway's own demand is its in-memory keys, which are
   * newer than its set in Redis (an unsubscribe the set does not show yet must not hold a token).
   */
  async othersUnion(userId: string, broker: BrokerName): Promise<Set<string>> {
    const { caps } = this.options;
    const own = this.keys.demand(userId, broker, this.gatewayId);
    const union = new Set<string>();
    let read = 0;
    let sets = 0;
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', this.keys.demandPattern(userId, broker), 'COUNT', PAGE);
      cursor = next;
      for (const key of batch) {
        if (key === own) continue;
        if (sets >= caps.gateways || read >= caps.perUser) {
          this.options.rejected?.({ kind: 'over-user-cap', read });
          return union;
        }
        sets += 1;
        const members = await this.readSet(key, Math.min(caps.perGateway, caps.perUser - read));
        if (members === undefined) continue;
        read += members.length;
        for (const member of members) {
          const id = this.seal.untag(key, member);
          if (id === undefined) this.options.rejected?.({ kind: 'forged-member', key });
          else union.add(id);
        }
      }
    } while (cursor !== '0');
    return union;
  }

  /** A set's members, page by page; undefined (and reported) as soon as it holds more than `cap`. */
  private async readSet(key: string, cap: number): Promise<string[] | undefined> {
    const members: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await this.redis.sscan(key, cursor, 'COUNT', PAGE);
      cursor = next;
      members.push(...page);
      if (members.length > cap) {
        this.options.rejected?.({ kind: 'oversized-set', key });
        return undefined;
      }
    } while (cursor !== '0');
    return members;
  }
}
