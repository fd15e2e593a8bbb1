import type { Logger } from 'pino';
import type { ExchangeTypeCode, SubscriptionModeCode } from '../../protocol/smartapi/index.ts';
import type { Timer } from '../clock.ts';
import { registryKey } from '../registry/registry.ts';
import type { AdapterDeps, UpstreamAdapter } from '../upstream/adapter-contract.ts';
import { upstreamKeyId, type UpstreamKey } from '../upstream/upstream-key.ts';
import type { UserRecord } from '../users.ts';
import type { ChannelRouter } from './channels.ts';
import { ClusterLogEvent } from './cluster-log.ts';
import type { ClusterMetrics } from './cluster-metrics.ts';
import type { DemandStore } from './demand-store.ts';
import { renewEveryMs, type LeaseTiming } from './lease.ts';
import type { ClusterKeys } from './redis-keys.ts';

/** What a demand view shares with the other members of its gateway. */
export interface DemandContext {
  gatewayId: string;
  keys: Pick<ClusterKeys, 'demandChanged'>;
  timing: LeaseTiming;
  adapterDeps: Pick<AdapterDeps, 'clock' | 'maxTokens'> & { maxUpstream: number };
  demand: Pick<DemandStore, 'publish' | 'othersUnion'>;
  channels: Pick<ChannelRouter, 'follow'>;
  metrics: ClusterMetrics;
}

function parseKeyId(id: string): UpstreamKey | undefined {
  const [mode, exchangeType, token] = id.split('|');
  if (mode === undefined || exchangeType === undefined || !token) return undefined;
  return { mode: Number(mode) as SubscriptionModeCode, exchangeType: Number(exchangeType) as ExchangeTypeCode, token };
}

/**
 * The order the holder subscribes the union upstream in: by mode, exchange and token, numbers by value.
 * Redis returns a set in hash order, and a broker that sends each round of ticks in subscription order
 * (the mock does) then interleaves every client's symbols in each socket read, so each client got a
 * write per read instead of one per round: with one gateway and no relay at all, the cluster
 * benchmark's p50 and p99 doubled against the plain gateway, whose clients subscribe in order.
 */
const UPSTREAM_ORDER = new Intl.Collator('en', { numeric: true });

/**
 * One (user, broker)'s demand as one gateway of a cluster sees it: its own clients' upstream keys, which
 * it keeps in Redis, and the other gateways' keys as last read from there. The token cap holds for the
 * one upstream connection, so it is checked against their union; on the holder, the view also keeps
 * the upstream subscribed to that union.
 */
export class DemandView {
  private readonly local = new Map<string, UpstreamKey>();
  /** The other gateways' demand as last read from Redis: with `local`, what the token cap is checked against. */
  private others = new Set<string>();
  /** The demand read in flight, and whether another was asked for meanwhile (a burst costs two reads, not one each). */
  private reading: Promise<void> | undefined;
  private readAgain = false;
  /** Keys of the union the holder left out to stay within the cap; a warning marks each episode's start. */
  private leftOut = 0;
  private readonly upstreamKeys = new Set<string>();
  private unfollow: (() => void) | undefined;
  private syncTimer: Timer | undefined;
  private publishPending = false;
  private stopped = false;

  constructor(
    private readonly user: UserRecord,
    private readonly ctx: DemandContext,
    private readonly log: Logger,
    /** The upstream this gateway owns while it holds the lease. */
    private readonly heldUpstream: () => UpstreamAdapter | undefined,
  ) {}

  start(): void {
    const { userId, broker } = this.user;
    // Our own change is read right after `publish` writes it.
    this.unfollow = this.ctx.channels.follow(this.ctx.keys.demandChanged(userId, broker), (origin) => {
      if (origin.toString() !== this.ctx.gatewayId) void this.read();
    });
    this.periodicSync();
    // Clients subscribe right after authenticating: the cap check should know the cluster by then.
    void this.read();
  }

  /** Stops following the cluster's demand; `withdraw` then clears this gateway's share of it. */
  stop(): void {
    this.stopped = true;
    this.syncTimer?.cancel();
    this.unfollow?.();
  }

  async withdraw(): Promise<void> {
    await this.ctx.demand.publish(this.user.userId, this.user.broker, []).catch(() => undefined);
  }

  subscribe(keys: UpstreamKey[]): void {
    let changed = false;
    for (const key of keys) {
      const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
      if (!this.local.has(id)) {
        this.local.set(id, key);
        changed = true;
      }
    }
    if (changed) this.publishSoon();
  }

  unsubscribe(keys: UpstreamKey[]): void {
    let changed = false;
    for (const key of keys) changed = this.local.delete(upstreamKeyId(key.exchangeType, key.token, key.mode)) || changed;
    if (changed) this.publishSoon();
  }

  /** Writes this gateway's demand to Redis, then reads the others'. */
  async publish(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ctx.demand.publish(this.user.userId, this.user.broker, [...this.local.keys()]);
    } catch {
      // Redis down: the periodic sync writes it again once Redis is back.
      return;
    }
    await this.read();
  }

  /** The cap holds for the one upstream connection, so it counts every gateway's keys, not ours only. */
  remainingCapacity(): number {
    return this.budget() - this.clusterKeys();
  }

  /** Keys the holder's pool may carry: `maxUpstream` connections of `maxTokens` each. */
  private budget(): number {
    return this.ctx.adapterDeps.maxUpstream * this.ctx.adapterDeps.maxTokens;
  }

  carries(key: UpstreamKey): boolean {
    const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
    return this.local.has(id) || this.others.has(id);
  }

  clusterKeys(): number {
    let count = this.others.size;
    for (const id of this.local.keys()) if (!this.others.has(id)) count += 1;
    return count;
  }

  localKeys(): number {
    return this.local.size;
  }

  /** This gateway just opened the upstream: it carries nothing yet, and the union is read afresh for it. */
  tookUpstream(): void {
    this.upstreamKeys.clear();
    void this.read();
  }

  /** This gateway's upstream is gone: nothing of the union is carried or left out here any more. */
  droppedUpstream(): void {
    this.upstreamKeys.clear();
    this.leftOut = 0;
    this.ctx.metrics.unionLeftOut(registryKey(this.user.userId, this.user.broker), 0);
  }

  private periodicSync(): void {
    this.syncTimer = this.ctx.adapterDeps.clock.after(renewEveryMs(this.ctx.timing), () => {
      if (this.stopped) return;
      // Refreshes this gateway's demand TTL and catches a missed demand-changed message.
      void this.publish();
      this.periodicSync();
    });
  }

  private publishSoon(): void {
    if (this.publishPending) return;
    this.publishPending = true;
    // One write for a burst of client subscribes in the same turn.
    queueMicrotask(() => {
      this.publishPending = false;
      void this.publish();
    });
  }

  /** Reads the other gateways' demand, then (on the holder) brings the upstream in line with the union. */
  private read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.readAgain = false;
          try {
            this.others = await this.ctx.demand.othersUnion(this.user.userId, this.user.broker);
          } catch {
            continue;
          }
          this.syncUpstream();
        } while (this.readAgain && !this.stopped);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  /**
   * Subscribes the held upstream to the union of every gateway's demand, at most `maxTokens` keys of it:
   * gateways check the cap against the union they last read, so two of them can race past it between
   * reads, and the broker would refuse the excess or worse. Keys already upstream keep their place; new
   * ones follow in UPSTREAM_ORDER while there is room, and the rest wait until demand drops.
   */
  private syncUpstream(): void {
    const adapter = this.heldUpstream();
    if (!adapter) return;
    const union = new Set(this.others);
    for (const id of this.local.keys()) union.add(id);
    const removed = [...this.upstreamKeys].filter((id) => !union.has(id));
    for (const id of removed) this.upstreamKeys.delete(id);
    const fresh = [...union].filter((id) => !this.upstreamKeys.has(id)).sort(UPSTREAM_ORDER.compare);
    const added = fresh.slice(0, Math.max(0, this.budget() - this.upstreamKeys.size));
    for (const id of added) this.upstreamKeys.add(id);
    const keysOf = (ids: string[]) => ids.map(parseKeyId).filter((k): k is UpstreamKey => k !== undefined);
    // Unsubscribing first keeps the connection within the cap while keys change places.
    if (removed.length > 0) adapter.unsubscribe(keysOf(removed));
    if (added.length > 0) adapter.subscribe(keysOf(added));
    this.reportLeftOut(fresh.length - added.length, union.size);
  }

  private reportLeftOut(leftOut: number, wanted: number): void {
    const before = this.leftOut;
    this.leftOut = leftOut;
    this.ctx.metrics.unionLeftOut(registryKey(this.user.userId, this.user.broker), leftOut);
    const cap = this.budget();
    if (leftOut > 0 && before === 0) {
      this.log.warn(
        { event: ClusterLogEvent.unionOverCap, leftOut, wanted, cap },
        `Cluster demand for user ${this.user.userId} is ${wanted} tokens, over the ${cap} its upstream pool may hold; ${leftOut} left out until demand drops`,
      );
    } else if (leftOut === 0 && before > 0) {
      this.log.info({ event: ClusterLogEvent.unionUnderCap, wanted, cap }, `Cluster demand for user ${this.user.userId} is within ${cap} tokens again; every key subscribed`);
    }
  }
}
