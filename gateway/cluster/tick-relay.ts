import type { Logger } from 'pino';
import type { Tick } from '../../protocol/smartapi/index.ts';
import type { BrokerStatusUpdate } from '../upstream/adapter-contract.ts';
import type { UserRecord } from '../users.ts';
import type { ChannelRouter } from './channels.ts';
import { ClusterLogEvent } from './cluster-log.ts';
import type { ClusterMetrics } from './cluster-metrics.ts';
import type { ClusterKeys } from './redis-keys.ts';
import { decodeRelayBatch, encodeRelayBatch } from './relay-frame.ts';
import { decodeRelayedStatus, encodeRelayedStatus } from './status-frame.ts';

/** What a relay shares with the other members of its gateway. */
export interface RelayContext {
  gatewayId: string;
  /**
   * With `--cluster-secret`: messages older than this (sender's clock against ours) are dropped as replays
   * of sealed messages recorded earlier. Undefined without a secret, where anyone can forge a fresh one.
   */
  freshnessMs?: number;
  keys: Pick<ClusterKeys, 'ticks' | 'status'>;
  channels: Pick<ChannelRouter, 'follow'>;
  publish(channel: string, message: Buffer): Promise<unknown>;
  metrics: ClusterMetrics;
}

/** What a relay asks of its member, and hands it. */
export interface RelayMember {
  /** Checked before each of the holder's ticks or states goes out: after a pause the lease may be gone. */
  holdsLease(): boolean;
  /** A gateway that owns the upstream ignores what others relay: they held the lease before it did. */
  ownsUpstream(): boolean;
  /** A tick for this gateway's clients, from its own upstream or relayed. */
  deliver(tick: Tick, frame: Buffer): void;
  /** The holder's `broker_status`, relayed from another gateway (`origin`, its id). */
  heardStatus(status: BrokerStatusUpdate, origin: string): void;
}

/**
 * One (user, broker)'s ticks and upstream states between the gateways of a cluster: the holder publishes
 * the broker's frames and its `broker_status` as it receives them, and every other gateway delivers
 * what it hears to its own clients.
 */
export class TickRelay {
  /** This turn's ticks from the owned upstream, and the broker's frame of each (what the relay sends). */
  private outgoing: Tick[] = [];
  private outgoingFrames: Buffer[] = [];
  private unfollow: (() => void)[] = [];

  constructor(
    private readonly user: UserRecord,
    private readonly ctx: RelayContext,
    private readonly log: Logger,
    private readonly member: RelayMember,
  ) {}

  start(): void {
    const { userId, broker } = this.user;
    this.unfollow = [
      this.ctx.channels.follow(this.ctx.keys.ticks(userId, broker), (message) => this.relayed(message)),
      this.ctx.channels.follow(this.ctx.keys.status(userId, broker), (message) => this.relayedStatus(message)),
    ];
  }

  stop(): void {
    for (const unfollow of this.unfollow) unfollow();
  }

  /** A tick from the upstream this gateway holds. */
  ownTick(tick: Tick, frame: Buffer): void {
    // A tick read after a pause must not reach anyone before the lease is checked.
    if (!this.member.holdsLease()) return;
    this.outgoingFrames.push(frame);
    if (this.outgoing.push(tick) === 1) setImmediate(() => this.flushOwnTicks());
  }

  /** A state of the upstream this gateway holds. */
  ownStatus(status: BrokerStatusUpdate): void {
    if (!this.member.holdsLease()) return;
    const message = encodeRelayedStatus({ origin: this.ctx.gatewayId, status, sentAtMs: Date.now() });
    void this.ctx.publish(this.ctx.keys.status(this.user.userId, this.user.broker), message).catch(() => this.ctx.metrics.relayPublishFailed());
  }

  /**
   * One PUBLISH for every tick read in this turn of the event loop, sent before this gateway fans the
   * same ticks out to its own clients: that fan-out is the turn's heaviest work, and publishing after it
   * made every other gateway's clients wait for it too (docs/benchmarks.md#cluster-benchmarks).
   */
  private flushOwnTicks(): void {
    const ticks = this.outgoing;
    const frames = this.outgoingFrames;
    this.outgoing = [];
    this.outgoingFrames = [];
    if (ticks.length === 0 || !this.member.holdsLease()) return;
    try {
      const message = encodeRelayBatch({ origin: this.ctx.gatewayId, publishedAtMs: Date.now(), frames });
      void this.ctx.publish(this.ctx.keys.ticks(this.user.userId, this.user.broker), message).catch(() => this.ctx.metrics.relayPublishFailed());
    } catch {
      this.ctx.metrics.relayPublishFailed();
    }
    ticks.forEach((tick, i) => this.member.deliver(tick, frames[i]!));
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

  /** A sealed message sent longer ago than the freshness window: a replay, dropped and counted. */
  private stale(sentAtMs: number | undefined, channel: string): boolean {
    const window = this.ctx.freshnessMs;
    if (window === undefined || (sentAtMs !== undefined && Math.abs(Date.now() - sentAtMs) <= window)) return false;
    this.ctx.metrics.staleMessage(channel);
    return true;
  }

  private relayed(message: Buffer): void {
    const batch = this.fromPeer(message, decodeRelayBatch, 'relay');
    if (!batch || this.stale(batch.publishedAtMs, 'ticks') || batch.origin === this.ctx.gatewayId || this.member.ownsUpstream()) return;
    this.ctx.metrics.relayLag(Date.now() - batch.publishedAtMs);
    batch.ticks.forEach((tick, i) => this.member.deliver(tick, batch.frames[i]!));
  }

  private relayedStatus(message: Buffer): void {
    const relayed = this.fromPeer(message, decodeRelayedStatus, 'status');
    if (!relayed || this.stale(relayed.sentAtMs, 'status') || relayed.origin === this.ctx.gatewayId || this.member.ownsUpstream()) return;
    this.member.heardStatus(relayed.status, relayed.origin);
  }
}
