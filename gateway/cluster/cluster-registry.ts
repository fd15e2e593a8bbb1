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
import { DemandStore } from './demand-store.ts';
import { renewEveryMs } from './lease.ts';
import { connectRedis } from './redis-connection.ts';
import { RedisLeaseStore } from './redis-lease-store.ts';

/** `--cluster` settings. */
export interface ClusterOptions {
  /** redis://host:port/db */
  url: string;
  /** Lease TTL (`--lease-ttl-ms`, default 6000). */
  ttlMs: number;
  /** This gateway's id in Redis; default host-pid-random. */
  gatewayId?: string;
}

export const CLUSTER_DEFAULTS = { ttlMs: 6_000 } as const;

/** `/health` → `cluster` */
export interface ClusterHealth {
  gatewayId: string;
  redis: 'up' | 'down';
  failovers: number;
  pubsubLagMs: number | undefined;
  leases: MemberHealth[];
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
export class ClusterRegistry implements Registry {
  private readonly members: AdapterTable<ClusterMember>;
  private readonly metrics: ClusterMetrics;
  private readonly channels: ChannelRouter;

  private constructor(
    private readonly deps: RegistryDeps,
    private readonly options: Required<ClusterOptions>,
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly events: ClusterEvents,
    private readonly log: Logger,
  ) {
    this.metrics = new ClusterMetrics(deps.metrics.registry);
    this.channels = new ChannelRouter(subscriber);
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
    const full: Required<ClusterOptions> = {
      ...options,
      gatewayId: options.gatewayId ?? `gw-${process.pid}-${randomBytes(3).toString('hex')}`,
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
      { event: ClusterLogEvent.connected, gatewayId: full.gatewayId, ttlMs: full.ttlMs },
      `Cluster mode: gateway ${full.gatewayId}, lease TTL ${full.ttlMs} ms`,
    );
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
    };
  }

  async close(): Promise<void> {
    await this.members.close();
    this.subscriber.disconnect();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  private createMember(user: UserRecord): ClusterMember {
    const timing = { ttlMs: this.options.ttlMs };
    return new ClusterMember(user, {
      gatewayId: this.options.gatewayId,
      timing,
      adapterDeps: this.deps,
      leases: new RedisLeaseStore(this.commands),
      demand: new DemandStore(this.commands, this.options.gatewayId, this.options.ttlMs),
      channels: this.channels,
      publish: (channel, message) => this.commands.publish(channel, message),
      metrics: this.metrics,
      logger: this.log,
      status: (member, update) => this.events.status(member, update),
    });
  }
}
