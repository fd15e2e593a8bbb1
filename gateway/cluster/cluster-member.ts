import type { Logger } from 'pino';
import { AngelAdapter } from '../upstream/adapter.ts';
import { upstreamKeyId, type UpstreamKey } from '../upstream/upstream-key.ts';
import type { Clock, Timer } from '../clock.ts';
import { BrokerState, type BrokerName } from '../../protocol/openalgo/protocol.ts';
import type { AdapterDeps, BrokerStatusUpdate, UpstreamAdapter } from '../upstream/adapter-contract.ts';
import { registryKey } from '../registry/registry.ts';
import type { ExchangeTypeCode, SubscriptionModeCode, Tick } from '../../protocol/smartapi/index.ts';
import type { AdapterState } from '../upstream/lifecycle.ts';
import type { UserRecord } from '../users.ts';
import type { ChannelRouter } from './channels.ts';
import { ClusterLogEvent } from './cluster-log.ts';
import type { ClusterMetrics } from './cluster-metrics.ts';
import type { DemandStore } from './demand-store.ts';
import { LeaseKeeper, renewEveryMs, type LeaseLossReason, type LeaseTiming } from './lease.ts';
import type { Claim, LeaseStore } from './lease-store.ts';
import { decodeRelayBatch, encodeRelayBatch } from './relay-frame.ts';
import { ClusterKey } from './redis-keys.ts';
import { decodeRelayedStatus, encodeRelayedStatus } from './status-frame.ts';

/** What every member of one gateway shares. */
export interface MemberContext {
  gatewayId: string;
  timing: LeaseTiming;
  adapterDeps: AdapterDeps;
  leases: LeaseStore;
  demand: DemandStore;
  channels: ChannelRouter;
  publish(channel: string, message: Buffer): Promise<unknown>;
  metrics: ClusterMetrics;
  logger: Logger;
  /** What this member's clients should hear as `broker_status` about the cluster itself. */
  status(member: ClusterMember, update: BrokerStatusUpdate): void;
}

export interface MemberHealth {
  user: string;
  broker: BrokerName;
  holder: 'self' | 'other';
  token: number | undefined;
  redis: 'up' | 'down';
  renewals: number;
  renewalFailures: number;
  /** Distinct upstream keys the cluster wants, as this gateway last read them plus its own. */
  clusterKeys: number;
}

/** What a follower's `state` says after hearing the holder's `broker_status`. */
const RELAYED_STATE: Record<BrokerStatusUpdate['state'], AdapterState> = {
  [BrokerState.connecting]: 'connecting',
  [BrokerState.open]: 'open',
  [BrokerState.refusedRetrying]: 'backoff',
  [BrokerState.failed]: 'failed',
  [BrokerState.clusterUnavailable]: 'backoff',
};

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
 * Timers handed to the owned adapter run only while the lease holds: after a pause the adapter's
 * first timer (heartbeat, retry) finds the lease gone, which fences, instead of touching the upstream.
 */
function fencedClock(clock: Clock, holds: () => boolean): Clock {
  return {
    now: () => clock.now(),
    after: (ms: number, fn: () => void): Timer => clock.after(ms, () => holds() && fn()),
  };
}

/**
 * One (user, broker) on one gateway of a cluster, and the adapter its clients hold. It always follows
 * the tick channel and keeps its clients' demand in Redis; while it holds the lease it also owns the
 * one upstream connection, subscribes it to the cluster-wide union and publishes its ticks.
 */
export class ClusterMember implements UpstreamAdapter {
  readonly broker: BrokerName;
  private readonly local = new Map<string, UpstreamKey>();
  /** The other gateways' demand as last read from Redis: with `local`, what the token cap is checked against. */
  private others = new Set<string>();
  /** The demand read in flight, and whether another was asked for meanwhile (a burst costs two reads, not one each). */
  private reading: Promise<void> | undefined;
  private readAgain = false;
  /** Keys of the union the holder left out to stay within the cap; a warning marks each episode's start. */
  private leftOut = 0;
  private readonly keeper: LeaseKeeper;
  private owned: AngelAdapter | undefined;
  private readonly ownedKeys = new Set<string>();
  private redisUp = true;
  private unfollow: (() => void)[] = [];
  private syncTimer: Timer | undefined;
  private demandPending = false;
  private stopped = false;
  /** This turn's ticks from the owned upstream, and the broker's frame of each (what the relay sends). */
  private outgoing: Tick[] = [];
  private outgoingFrames: Buffer[] = [];
  /** The upstream's last known state while this gateway holds none: the holder's relayed one, or our own failed cycle. */
  private knownState: AdapterState | undefined;
  /**
   * Set when the upstream's connect cycle failed (here or on the holder): like the singleton's failed
   * adapter, nobody dials again until a client of this gateway asks for data.
   */
  private standBack = false;
  private readonly log: Logger;

  constructor(
    readonly user: UserRecord,
    private readonly ctx: MemberContext,
  ) {
    this.broker = user.broker;
    this.log = ctx.logger.child({ user: user.userId, broker: user.broker, gatewayId: ctx.gatewayId });
    const keys = {
      lease: ClusterKey.lease(user.userId, user.broker),
      fence: ClusterKey.fence(user.userId, user.broker),
      epoch: ClusterKey.epoch,
    };
    this.keeper = new LeaseKeeper(ctx.leases, keys, ctx.gatewayId, ctx.timing, ctx.adapterDeps.clock, {
      onAcquired: (claim) => this.acquired(claim),
      onLost: (reason) => this.lost(reason),
      onRedisReachable: (reachable) => this.reachable(reachable),
      mayClaim: () => !this.standBack,
    });
  }

  get state(): AdapterState {
    if (this.stopped) return 'closed';
    if (this.owned) return this.owned.state;
    return this.redisUp ? (this.knownState ?? 'open') : 'backoff';
  }

  start(): void {
    const { userId } = this.user;
    this.unfollow = [
      this.ctx.channels.follow(ClusterKey.ticks(userId, this.broker), (message) => this.relayed(message)),
      // Our own change is read right after we publish it (publishDemand).
      this.ctx.channels.follow(ClusterKey.demandChanged(userId, this.broker), (origin) => {
        if (origin.toString() !== this.ctx.gatewayId) void this.readDemand();
      }),
      this.ctx.channels.follow(ClusterKey.status(userId, this.broker), (message) => this.relayedStatus(message)),
    ];
    this.keeper.start();
    this.periodicSync();
    // Clients subscribe right after authenticating: the cap check should know the cluster by then.
    void this.readDemand();
  }

  /** A client of this gateway authenticated or subscribed: a failed upstream may be dialled again. */
  wanted(): void {
    this.standBack = false;
  }

  subscribe(keys: UpstreamKey[]): void {
    this.wanted();
    let changed = false;
    for (const key of keys) {
      const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
      if (!this.local.has(id)) {
        this.local.set(id, key);
        changed = true;
      }
    }
    if (changed) this.publishDemandSoon();
  }

  unsubscribe(keys: UpstreamKey[]): void {
    let changed = false;
    for (const key of keys) changed = this.local.delete(upstreamKeyId(key.exchangeType, key.token, key.mode)) || changed;
    if (changed) this.publishDemandSoon();
  }

  /** The cap holds for the one upstream connection, so it counts every gateway's keys, not ours only. */
  remainingCapacity(): number {
    return this.ctx.adapterDeps.maxTokens - this.clusterKeys();
  }

  carries(key: UpstreamKey): boolean {
    const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
    return this.local.has(id) || this.others.has(id);
  }

  private clusterKeys(): number {
    let count = this.others.size;
    for (const id of this.local.keys()) if (!this.others.has(id)) count += 1;
    return count;
  }

  upstreamConnections(): number {
    return this.owned?.upstreamConnections() ?? 0;
  }

  subscriptionCount(): number {
    return this.local.size;
  }

  health(): MemberHealth {
    return {
      user: this.user.userId,
      broker: this.broker,
      holder: this.keeper.holds() ? 'self' : 'other',
      token: this.keeper.token(),
      redis: this.redisUp ? 'up' : 'down',
      renewals: this.keeper.renewals.ok,
      renewalFailures: this.keeper.renewals.failed,
      clusterKeys: this.clusterKeys(),
    };
  }

  /** Logout or shutdown: gives the lease back (closing the upstream first) and withdraws the demand. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.syncTimer?.cancel();
    for (const unfollow of this.unfollow) unfollow();
    await this.keeper.stop();
    await this.ctx.demand.publish(this.user.userId, this.broker, []).catch(() => undefined);
  }

  private periodicSync(): void {
    this.syncTimer = this.ctx.adapterDeps.clock.after(renewEveryMs(this.ctx.timing), () => {
      if (this.stopped) return;
      // Refreshes this gateway's demand TTL and catches a missed demand-changed message.
      void this.publishDemand();
      this.periodicSync();
    });
  }

  private publishDemandSoon(): void {
    if (this.demandPending) return;
    this.demandPending = true;
    // One write for a burst of client subscribes in the same turn.
    queueMicrotask(() => {
      this.demandPending = false;
      void this.publishDemand();
    });
  }

  private async publishDemand(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ctx.demand.publish(this.user.userId, this.broker, [...this.local.keys()]);
    } catch {
      // Redis down: the periodic sync writes it again once Redis is back.
      return;
    }
    await this.readDemand();
  }

  /** Reads the other gateways' demand, then (on the holder) brings the upstream in line with the union. */
  private readDemand(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.readAgain = false;
          try {
            this.others = await this.ctx.demand.othersUnion(this.user.userId, this.broker);
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

  private acquired({ token, takeover }: Claim): void {
    this.ctx.metrics.leaseAcquired(token, takeover);
    this.log.info({ event: ClusterLogEvent.leaseAcquired, token }, `Cluster lease acquired for user ${this.user.userId} (token ${token})`);
    const deps: AdapterDeps = {
      ...this.ctx.adapterDeps,
      clock: fencedClock(this.ctx.adapterDeps.clock, () => this.keeper.holds()),
      listener: {
        onTick: (_adapter, tick, frame) => this.ownTick(tick, frame),
        onStatus: (_adapter, status) => {
          this.ctx.adapterDeps.listener.onStatus(this, status);
          this.publishStatus(status);
        },
        onFailed: (_adapter, message) => {
          this.ctx.adapterDeps.listener.onFailed(this, message);
          this.upstreamFailed(message);
        },
      },
    };
    this.knownState = undefined;
    const adapter = new AngelAdapter(this.user, deps);
    this.owned = adapter;
    this.ownedKeys.clear();
    adapter.start().catch(() => undefined);
    void this.readDemand();
  }

  private lost(reason: LeaseLossReason): Promise<void> | undefined {
    const adapter = this.owned;
    this.owned = undefined;
    this.ownedKeys.clear();
    this.leftOut = 0;
    this.ctx.metrics.unionLeftOut(registryKey(this.user.userId, this.broker), 0);
    const closed = adapter?.close();
    this.ctx.metrics.leaseLost(reason);
    this.log.warn({ event: ClusterLogEvent.leaseLost, reason }, `Cluster lease lost for user ${this.user.userId} (${reason}); upstream closed`);
    if (!this.redisUp && reason !== 'released') this.reportUnavailable();
    return closed;
  }

  private publishStatus(status: BrokerStatusUpdate): void {
    if (!this.keeper.holds()) return;
    const message = encodeRelayedStatus({ origin: this.ctx.gatewayId, status });
    void this.ctx.publish(ClusterKey.status(this.user.userId, this.broker), message).catch(() => this.ctx.metrics.relayPublishFailed());
  }

  /**
   * A holder whose cycle failed must not sit on the lease with no upstream: it gives the lease back (so
   * any gateway can try once a client asks) and stands back itself until its own clients ask again.
   */
  private upstreamFailed(message: string): void {
    this.standBack = true;
    this.knownState = 'failed';
    this.log.warn({ event: ClusterLogEvent.upstreamFailed, message }, `Upstream failed for user ${this.user.userId}; lease released until a client asks again`);
    void this.keeper.relinquish();
  }

  /** Another gateway's message, or undefined (counted and logged) when it does not decode. */
  private fromPeer<T>(message: Buffer, decode: (message: Buffer) => T, what: string): T | undefined {
    try {
      return decode(message);
    } catch (err) {
      this.ctx.metrics.badRelayFrame();
      this.log.debug({ event: ClusterLogEvent.badRelayFrame, reason: (err as Error).message }, `Bad ${what} frame`);
      return undefined;
    }
  }

  private relayedStatus(message: Buffer): void {
    const relayed = this.fromPeer(message, decodeRelayedStatus, 'status');
    if (!relayed || relayed.origin === this.ctx.gatewayId || this.owned) return;
    const { status } = relayed;
    this.knownState = RELAYED_STATE[status.state];
    this.standBack = status.state === BrokerState.failed;
    this.ctx.adapterDeps.listener.onStatus(this, status);
    if (status.state === BrokerState.failed) this.ctx.adapterDeps.listener.onFailed(this, status.message ?? 'upstream connect cycle failed');
  }

  private reportUnavailable(): void {
    this.ctx.status(this, { state: BrokerState.clusterUnavailable, message: 'Redis is unreachable; market data resumes when it is back' });
  }

  private reachable(reachable: boolean): void {
    if (reachable === this.redisUp) return;
    this.redisUp = reachable;
    this.log.warn({ event: reachable ? ClusterLogEvent.redisUp : ClusterLogEvent.redisDown }, `Redis ${reachable ? 'reachable again' : 'unreachable'}`);
    if (reachable) {
      void this.publishDemand();
      if (!this.owned) this.ctx.status(this, { state: BrokerState.open });
    } else if (!this.keeper.holds()) this.reportUnavailable();
  }

  private ownTick(tick: Tick, frame: Buffer): void {
    // A tick read after a pause must not reach anyone before the lease is checked.
    if (!this.keeper.holds()) return;
    this.outgoingFrames.push(frame);
    if (this.outgoing.push(tick) === 1) setImmediate(() => this.flushOwnTicks());
  }

  /**
   * One PUBLISH for every tick read in this turn of the event loop, sent before this gateway fans the
   * same ticks out to its own clients: that fan-out is the turn's heaviest work, and publishing after it
   * made every other gateway's clients wait for it too (README "Cluster benchmarks").
   */
  private flushOwnTicks(): void {
    const ticks = this.outgoing;
    const frames = this.outgoingFrames;
    this.outgoing = [];
    this.outgoingFrames = [];
    if (ticks.length === 0 || !this.keeper.holds()) return;
    try {
      const message = encodeRelayBatch({ origin: this.ctx.gatewayId, publishedAtMs: Date.now(), frames });
      void this.ctx.publish(ClusterKey.ticks(this.user.userId, this.broker), message).catch(() => this.ctx.metrics.relayPublishFailed());
    } catch {
      this.ctx.metrics.relayPublishFailed();
    }
    ticks.forEach((tick, i) => this.ctx.adapterDeps.listener.onTick(this, tick, frames[i]!));
  }

  private relayed(message: Buffer): void {
    const batch = this.fromPeer(message, decodeRelayBatch, 'relay');
    if (!batch || batch.origin === this.ctx.gatewayId || this.owned) return;
    this.ctx.metrics.relayLag(Date.now() - batch.publishedAtMs);
    batch.ticks.forEach((tick, i) => this.ctx.adapterDeps.listener.onTick(this, tick, batch.frames[i]!));
  }

  /**
   * Subscribes the owned upstream to the union of every gateway's demand, at most `maxTokens` keys of it:
   * gateways check the cap against the union they last read, so two of them can race past it between
   * reads, and the broker would refuse the excess or worse. Keys already upstream keep their place; new
   * ones follow in UPSTREAM_ORDER while there is room, and the rest wait until demand drops.
   */
  private syncUpstream(): void {
    const adapter = this.owned;
    if (!adapter || !this.keeper.holds()) return;
    const union = new Set(this.others);
    for (const id of this.local.keys()) union.add(id);
    const removed = [...this.ownedKeys].filter((id) => !union.has(id));
    for (const id of removed) this.ownedKeys.delete(id);
    const fresh = [...union].filter((id) => !this.ownedKeys.has(id)).sort(UPSTREAM_ORDER.compare);
    const added = fresh.slice(0, Math.max(0, this.ctx.adapterDeps.maxTokens - this.ownedKeys.size));
    for (const id of added) this.ownedKeys.add(id);
    const keysOf = (ids: string[]) => ids.map(parseKeyId).filter((k): k is UpstreamKey => k !== undefined);
    // Unsubscribing first keeps the connection within the cap while keys change places.
    if (removed.length > 0) adapter.unsubscribe(keysOf(removed));
    if (added.length > 0) adapter.subscribe(keysOf(added));
    this.reportLeftOut(fresh.length - added.length, union.size);
  }

  private reportLeftOut(leftOut: number, wanted: number): void {
    const before = this.leftOut;
    this.leftOut = leftOut;
    this.ctx.metrics.unionLeftOut(registryKey(this.user.userId, this.broker), leftOut);
    const cap = this.ctx.adapterDeps.maxTokens;
    if (leftOut > 0 && before === 0) {
      this.log.warn(
        { event: ClusterLogEvent.unionOverCap, leftOut, wanted, cap },
        `Cluster demand for user ${this.user.userId} is ${wanted} tokens, over the ${cap} one connection may hold; ${leftOut} left out until demand drops`,
      );
    } else if (leftOut === 0 && before > 0) {
      this.log.info({ event: ClusterLogEvent.unionUnderCap, wanted, cap }, `Cluster demand for user ${this.user.userId} is within ${cap} tokens again; every key subscribed`);
    }
  }
}
