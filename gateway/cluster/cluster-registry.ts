import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BrokerName } from '../../protocol/openalgo/index.ts';
import { AdapterTable } from '../registry/adapter-table.ts';
import { registryKey, type Lease, type Registry, type RegistryDeps } from '../registry/registry.ts';
import type { AdapterHealth, BrokerStatusUpdate } from '../upstream/adapter-contract.ts';
import type { UserRecord } from '../users.ts';
import { ChannelRouter } from './channels.ts';
import { ClusterLogEvent } from './cluster-log.ts';
import { ClusterMember, type MemberHealth } from './cluster-member.ts';
import { ClusterMetrics } from './cluster-metrics.ts';
import { DemandStore, type DemandRejection } from './demand-store.ts';
import { MessageSeal } from './message-seal.ts';
import { CLUSTER_PREFIX, clusterKeys, type ClusterKeys } from './redis-keys.ts';
import { renewEveryMs } from './lease.ts';
import { connectRedis, describeRedisError, lastRedisError } from './redis-connection.ts';
import { RedisLeaseStore } from './redis-lease-store.ts';

/** `--cluster` settings. */
export interface ClusterOptions {
  /** redis://host:port/db */
  url: string;
  /** Lease TTL (`--lease-ttl-ms`, default 6000). */
  ttlMs: number;
  /** This gateway's id in Redis; default host-pid-random. */
  gatewayId?: string;
  /** `--cluster-secret`: HMAC key of every relay message and demand member; without it Redis is trusted. */
  secret?: string;
  /** `--cluster-prefix`: first part of every key and channel name (default `stormcheck`). */
  prefix?: string;
}

export const CLUSTER_DEFAULTS = { ttlMs: 6_000, prefix: CLUSTER_PREFIX } as const;

/** Shown at start-up and in /health when `--cluster` runs without a secret. */
export const NO_SECRET_WARNING =
  'no --cluster-secret: anyone who can reach Redis can send forged ticks and statuses to clients (set STORMCHECK_CLUSTER_SECRET on every gateway)';

/** `/health` → `cluster` */
export interface ClusterHealth {
  gatewayId: string;
  redis: 'up' | 'down';
  failovers: number;
  pubsubLagMs: number | undefined;
  leases: MemberHealth[];
  /** Relay messages and demand members dropped because their HMAC did not match. */
  forgedMessages: number;
  /** Set when the cluster runs on trust (no secret). */
  warnings?: string[];
}

export interface ClusterEvents {
  /** `cluster-unavailable` when Redis is down and no valid lease is held here, `open` when Redis is back. */
  status(adapter: ClusterMember, update: BrokerStatusUpdate): void;
}

/**
 * The singleton registry stretched across gateway processes: one member per (user, broker) here, and
 * one lease per (user, broker) in Redis deciding which gateway's member owns the upstream. Like the
 * singleton's adapter, a member without clients lingers `lingerMs`, then stops: it gives the lease
 * back (so a gateway that still has clients takes it over) and withdraws its demand, and a gateway
 * whose clients all left no longer contends for the user's lease.
 */
/** Gateways whose demand one read takes into account: a cluster larger than this is not one we plan for. */
const DEMAND_GATEWAYS = 16;
const FORGED_LOG_INTERVAL_MS = 60_000;

export class ClusterRegistry implements Registry {
  private readonly members: AdapterTable<ClusterMember>;
  private readonly metrics: ClusterMetrics;
  private readonly channels: ChannelRouter;

  private readonly seal: MessageSeal;
  private readonly keys: ClusterKeys;

  private constructor(
    private readonly deps: RegistryDeps,
    private readonly options: Required<Omit<ClusterOptions, 'secret'>> & Pick<ClusterOptions, 'secret'>,
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly events: ClusterEvents,
    private readonly log: Logger,
  ) {
    this.metrics = new ClusterMetrics(deps.metrics.registry);
    this.seal = new MessageSeal(options.secret);
    this.keys = clusterKeys(options.prefix);
    this.channels = new ChannelRouter(subscriber, this.seal, (channel) => this.forged(channel));
    this.members = new AdapterTable<ClusterMember>(deps, {
      create: (user) => {
        const member = this.createMember(user);
        member.start();
        return member;
      },
      close: (member) => member.stop(),
    });
  }

  /** Connects both Redis clients; rejects with ClusterUnavailableError when Redis cannot be reached. */
  static async connect(deps: RegistryDeps, options: ClusterOptions, events: ClusterEvents): Promise<ClusterRegistry> {
    const full = {
      ...options,
      gatewayId: options.gatewayId ?? `gw-${process.pid}-${randomBytes(3).toString('hex')}`,
      prefix: options.prefix ?? CLUSTER_DEFAULTS.prefix,
    };
    const timeout = renewEveryMs({ ttlMs: full.ttlMs });
    const commands = await connectRedis(full.url, timeout);
    let subscriber: Redis;
    try {
      subscriber = await connectRedis(full.url, timeout);
    } catch (err) {
      commands.disconnect();
      throw err;
    }
    deps.logger.info(
      { event: ClusterLogEvent.connected, gatewayId: full.gatewayId, ttlMs: full.ttlMs, prefix: full.prefix, authenticated: full.secret !== undefined },
      `Cluster mode: gateway ${full.gatewayId}, lease TTL ${full.ttlMs} ms, keys under ${full.prefix}:`,
    );
    if (full.secret === undefined) deps.logger.warn({ event: ClusterLogEvent.noSecret }, `Cluster: ${NO_SECRET_WARNING}`);
    return new ClusterRegistry(deps, full, commands, subscriber, events, deps.logger);
  }

  async acquire(user: UserRecord): Promise<Lease> {
    const key = registryKey(user.userId, user.broker);
    const stopping = this.members.closing(key);
    if (stopping) await stopping;
    const { adapter, lease } = this.members.join(key, user);
    adapter.wanted();
    return lease;
  }

  remove(userId: string, broker: BrokerName): Promise<void> {
    return this.members.remove(registryKey(userId, broker));
  }

  health(): AdapterHealth[] {
    return this.members.health();
  }

  clusterHealth(): ClusterHealth {
    const leases = this.members.adapters().map((member) => member.health());
    this.metrics.renewals.set({ result: 'ok' }, leases.reduce((n, l) => n + l.renewals, 0));
    this.metrics.renewals.set({ result: 'failed' }, leases.reduce((n, l) => n + l.renewalFailures, 0));
    return {
      gatewayId: this.options.gatewayId,
      redis: this.commands.status === 'ready' ? 'up' : 'down',
      failovers: this.metrics.failoversTaken,
      pubsubLagMs: this.metrics.lastPubsubLagMs,
      leases,
      forgedMessages: this.metrics.forgedCount,
      ...(!this.seal.enabled && { warnings: [NO_SECRET_WARNING] }),
    };
  }

  async close(): Promise<void> {
    await this.members.close();
    this.subscriber.disconnect();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  /** Dropped and counted; logged at most once a minute per channel, so a flood costs no log volume. */
  private forged(channel: string): void {
    this.metrics.forgedMessage(channel.slice(this.options.prefix.length + 1).split(':')[0]!);
    const now = this.deps.clock.now();
    if (now - (this.lastForgedLog.get(channel) ?? -Infinity) < FORGED_LOG_INTERVAL_MS) return;
    this.lastForgedLog.set(channel, now);
    this.log.warn({ event: ClusterLogEvent.forged, channel }, `Dropped a message on ${channel} whose HMAC did not match (forged, or another --cluster-secret)`);
  }

  private readonly lastForgedLog = new Map<string, number>();

  private demandRejected(rejection: DemandRejection): void {
    if (rejection.kind === 'forged-member') {
      this.forged(rejection.key);
      return;
    }
    this.metrics.demandRefused(rejection.kind);
    this.log.warn(
      { event: ClusterLogEvent.demandRefused, ...rejection },
      rejection.kind === 'oversized-set'
        ? `Refused demand set ${rejection.key}: more members than one gateway may hold; not loaded`
        : `Stopped reading demand after ${rejection.read} members: over the per-user cap`,
    );
  }

  private createMember(user: UserRecord): ClusterMember {
    const timing = { ttlMs: this.options.ttlMs };
    const budget = this.deps.maxUpstream * this.deps.maxTokens;
    return new ClusterMember(user, {
      gatewayId: this.options.gatewayId,
      timing,
      // Sealed messages cannot be forged, only replayed: one older than a TTL is a replay.
      ...(this.seal.enabled && { freshnessMs: this.options.ttlMs }),
      keys: this.keys,
      adapterDeps: this.deps,
      leases: new RedisLeaseStore(this.commands),
      demand: new DemandStore(this.commands, this.options.gatewayId, this.options.ttlMs, {
        keys: this.keys,
        seal: this.seal,
        caps: { perGateway: budget, perUser: DEMAND_GATEWAYS * budget, gateways: DEMAND_GATEWAYS },
        rejected: (rejection) => this.demandRejected(rejection),
      }),
      channels: this.channels,
      publish: (channel, message) => this.commands.publish(channel, this.seal.seal(channel, message)),
      redisError: (command, err) => describeRedisError(command, err, lastRedisError(this.commands)),
      metrics: this.metrics,
      logger: this.log,
      status: (member, update) => this.events.status(member, update),
    });
  }
}
