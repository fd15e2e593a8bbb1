import type { Logger } from 'pino';
import { UpstreamPool } from '../upstream/pool.ts';
import type { RegistryDeps } from '../registry/registry.ts';
import type { UpstreamKey } from '../upstream/upstream-key.ts';
import type { Clock, Timer } from '../clock.ts';
import { BrokerState, type BrokerName } from '../../protocol/openalgo/index.ts';
import type { BrokerStatusUpdate, TokenBudget, UpstreamAdapter } from '../upstream/adapter-contract.ts';
import type { AdapterState } from '../upstream/lifecycle.ts';
import type { UserRecord } from '../users.ts';
import type { ChannelRouter } from './channels.ts';
import { ClusterLogEvent } from './cluster-log.ts';
import type { ClusterMetrics } from './cluster-metrics.ts';
import type { DemandStore } from './demand-store.ts';
import { DemandView } from './demand-view.ts';
import { closeDeadlineMs, LeaseKeeper, type LeaseLossReason, type LeaseTiming } from './lease.ts';
import type { Claim, LeaseStore } from './lease-store.ts';
import type { ClusterKeys } from './redis-keys.ts';
import { TickRelay } from './tick-relay.ts';

/** What every member of one gateway shares. */
export interface MemberContext {
  gatewayId: string;
  timing: LeaseTiming;
  keys: ClusterKeys;
  /** See RelayContext.freshnessMs. */
  freshnessMs?: number;
  /** One line naming the Redis command that failed and why. */
  redisError(command: string, err: unknown): string;
  adapterDeps: RegistryDeps;
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
  /**
   * `no-holder`: the last look found no lease, so no gateway serves this user's upstream right now.
   * `unverified`: a lease names a holder from which no authenticated status came (stolen, or just taken).
   */
  holder: 'self' | 'other' | 'no-holder' | 'unverified';
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
 * One (user, broker) on one gateway of a cluster, and the adapter its clients hold. Its demand view
 * keeps its clients' demand in Redis and its relay follows the tick channel; while it holds the lease it
 * also owns the one upstream connection, which the view subscribes to the cluster-wide union and whose
 * ticks the relay publishes.
 */
export class ClusterMember implements UpstreamAdapter {
  readonly broker: BrokerName;
  readonly tokenBudget: TokenBudget;
  private readonly demand: DemandView;
  private readonly relay: TickRelay;
  private readonly keeper: LeaseKeeper;
  private owned: UpstreamPool | undefined;
  private redisUp = true;
  private stopped = false;
  /** The upstream's last known state while this gateway holds none: the holder's relayed one, or our own failed cycle. */
  private knownState: AdapterState | undefined;
  /**
   * Set when the upstream's connect cycle failed (here or on the holder): like the singleton's failed
   * adapter, nobody dials again until a client of this gateway asks for data.
   */
  private standBack = false;
  /** The state of the upstream this gateway holds, re-announced on every renewal. */
  private ownStatus: BrokerStatusUpdate | undefined;
  /** The gateway whose authenticated status came last, and that status. */
  private heardFrom: string | undefined;
  private lastHeard: string | undefined;
  private readonly log: Logger;

  constructor(
    readonly user: UserRecord,
    private readonly ctx: MemberContext,
  ) {
    this.broker = user.broker;
    this.tokenBudget = { connections: ctx.adapterDeps.maxUpstream, tokensPerConnection: ctx.adapterDeps.maxTokens };
    this.log = ctx.logger.child({ user: user.userId, broker: user.broker, gatewayId: ctx.gatewayId });
    this.demand = new DemandView(user, ctx, this.log, () => (this.keeper.holds() ? this.owned : undefined));
    this.relay = new TickRelay(user, ctx, this.log, {
      holdsLease: () => this.keeper.holds(),
      ownsUpstream: () => this.owned !== undefined,
      deliver: (tick, frame) => ctx.adapterDeps.listener.onTick(this, tick, frame),
      heardStatus: (status, origin) => this.heardStatus(status, origin),
    });
    const keys = {
      lease: ctx.keys.lease(user.userId, user.broker),
      fence: ctx.keys.fence(user.userId, user.broker),
      epoch: ctx.keys.epoch,
    };
    this.keeper = new LeaseKeeper(ctx.leases, keys, ctx.gatewayId, ctx.timing, ctx.adapterDeps.clock, {
      onAcquired: (claim) => this.acquired(claim),
      onLost: (reason) => this.lost(reason),
      onRedisReachable: (reachable, failure) => this.reachable(reachable, failure && ctx.redisError(failure.command, failure.err)),
      mayClaim: () => !this.standBack,
      onRenewed: () => {
        if (this.owned && this.ownStatus) this.relay.ownStatus(this.ownStatus);
      },
    });
  }

  get state(): AdapterState {
    if (this.stopped) return 'closed';
    if (this.owned) return this.owned.state;
    if (!this.redisUp) return 'backoff';
    if (this.knownState === 'failed') return 'failed';
    // Nobody holds the lease, or a holder we have not heard from: no upstream serves this user that we know of.
    if (this.keeper.leaseSeen() === false || (this.keeper.leaseSeen() === true && !this.holderVerified())) return 'connecting';
    return this.knownState ?? 'open';
  }

  start(): void {
    this.relay.start();
    this.keeper.start();
    this.demand.start();
  }

  /** A client of this gateway authenticated or subscribed: a failed upstream may be dialled again. */
  wanted(): void {
    this.standBack = false;
  }

  subscribe(keys: UpstreamKey[]): void {
    this.wanted();
    this.demand.subscribe(keys);
  }

  unsubscribe(keys: UpstreamKey[]): void {
    this.demand.unsubscribe(keys);
  }

  remainingCapacity(): number {
    return this.demand.remainingCapacity();
  }

  carries(key: UpstreamKey): boolean {
    return this.demand.carries(key);
  }

  upstreamConnections(): number {
    return this.owned?.upstreamConnections() ?? 0;
  }

  subscriptionCount(): number {
    return this.demand.localKeys();
  }

  health(): MemberHealth {
    return {
      user: this.user.userId,
      broker: this.broker,
      holder: this.keeper.holds() ? 'self' : this.keeper.leaseSeen() === false ? 'no-holder' : this.holderVerified() ? 'other' : 'unverified',
      token: this.keeper.token(),
      redis: this.redisUp ? 'up' : 'down',
      renewals: this.keeper.renewals.ok,
      renewalFailures: this.keeper.renewals.failed,
      clusterKeys: this.demand.clusterKeys(),
    };
  }

  /** Logout or shutdown: gives the lease back (closing the upstream first) and withdraws the demand. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.relay.stop();
    this.demand.stop();
    await this.keeper.stop();
    await this.demand.withdraw();
  }

  private acquired({ token, takeover }: Claim): void {
    this.ctx.metrics.leaseAcquired(token, takeover);
    this.log.info({ event: ClusterLogEvent.leaseAcquired, token }, `Cluster lease acquired for user ${this.user.userId} (token ${token})`);
    const deps: RegistryDeps = {
      ...this.ctx.adapterDeps,
      clock: fencedClock(this.ctx.adapterDeps.clock, () => this.keeper.holds()),
      listener: {
        onTick: (_adapter, tick, frame) => this.relay.ownTick(tick, frame),
        onStatus: (_adapter, status) => {
          this.ownStatus = status;
          this.ctx.adapterDeps.listener.onStatus(this, status);
          this.relay.ownStatus(status);
        },
        onFailed: (_adapter, message) => {
          this.ctx.adapterDeps.listener.onFailed(this, message);
          this.upstreamFailed(message);
        },
        onKeysStatus: (_adapter, keys, status) => this.ctx.adapterDeps.listener.onKeysStatus?.(this, keys, status),
      },
    };
    this.knownState = undefined;
    this.lastHeard = undefined;
    const adapter = new UpstreamPool(this.user, deps);
    this.owned = adapter;
    adapter.start().catch(() => undefined);
    this.demand.tookUpstream();
  }

  private lost(reason: LeaseLossReason): Promise<void> | undefined {
    const adapter = this.owned;
    this.owned = undefined;
    this.demand.droppedUpstream();
    const closed = adapter?.close();
    if (adapter && closed) {
      // The fence wait of every other gateway counts on this: past the deadline the socket is destroyed.
      const deadline = this.ctx.adapterDeps.clock.after(closeDeadlineMs(this.ctx.timing), () => adapter.terminate());
      void closed.then(() => deadline.cancel());
    }
    this.ctx.metrics.leaseLost(reason);
    this.log.warn({ event: ClusterLogEvent.leaseLost, reason }, `Cluster lease lost for user ${this.user.userId} (${reason}); upstream closed`);
    if (!this.redisUp && reason !== 'released') this.reportUnavailable();
    return closed;
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

  /**
   * The lease names this gateway, or the gateway whose authenticated status came last (with a secret,
   * nobody else can send one). A gateway that has heard no status yet cannot tell and takes the lease's
   * word: it is the lease changing to a holder nobody hears from (a stolen lease) that this catches.
   */
  private holderVerified(): boolean {
    const holder = this.keeper.holderSeen();
    return holder === this.ctx.gatewayId || this.heardFrom === undefined || holder === this.heardFrom;
  }

  private heardStatus(status: BrokerStatusUpdate, origin: string): void {
    this.heardFrom = origin;
    // The holder re-announces its state on every renewal; clients hear only changes.
    const text = JSON.stringify(status);
    if (text === this.lastHeard) return;
    this.lastHeard = text;
    this.knownState = RELAYED_STATE[status.state];
    this.standBack = status.state === BrokerState.failed;
    this.ctx.adapterDeps.listener.onStatus(this, status);
    if (status.state === BrokerState.failed) this.ctx.adapterDeps.listener.onFailed(this, status.message ?? 'upstream connect cycle failed');
  }

  private reportUnavailable(): void {
    this.ctx.status(this, { state: BrokerState.clusterUnavailable, message: 'Redis is unreachable; market data resumes when it is back' });
  }

  private reachable(reachable: boolean, failure?: string): void {
    if (reachable === this.redisUp) return;
    this.redisUp = reachable;
    this.log.warn(
      { event: reachable ? ClusterLogEvent.redisUp : ClusterLogEvent.redisDown, ...(failure && { reason: failure }) },
      reachable ? 'Redis reachable again' : `Redis unreachable: ${failure ?? 'no reply'}`,
    );
    if (reachable) {
      void this.demand.publish();
      if (!this.owned) this.ctx.status(this, { state: BrokerState.open });
    } else if (!this.keeper.holds()) this.reportUnavailable();
  }
}
