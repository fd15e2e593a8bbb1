import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LeaseLossReason } from './lease.ts';

/** The cluster's Prometheus metrics, registered on the gateway's own registry (served at /metrics). */
export class ClusterMetrics {
  private readonly acquisitions: Counter;
  private readonly failovers: Counter;
  private readonly losses: Counter<'reason'>;
  private readonly token: Gauge;
  private readonly lag: Histogram;
  private readonly publishFailures: Counter;
  private readonly badFrames: Counter;
  readonly renewals: Gauge<'result'>;
  private readonly overCap: Gauge;
  private readonly forged: Counter<'channel'>;
  private readonly refusedDemand: Counter<'reason'>;
  private readonly stale: Counter<'channel'>;
  private forgedTotal = 0;
  /** Keys left out per upstream this gateway holds; the gauge is their sum. */
  private readonly leftOut = new Map<string, number>();
  private highestToken = 0;
  private failoverCount = 0;
  private lastLagMs: number | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.acquisitions = new Counter({ name: 'stormcheck_cluster_lease_acquisitions_total', help: 'Leases this gateway took', registers });
    this.failovers = new Counter({
      name: 'stormcheck_cluster_failovers_total',
      help: 'Leases this gateway took after an earlier holder (failover or hand-back)',
      registers,
    });
    this.losses = new Counter({ name: 'stormcheck_cluster_lease_losses_total', help: 'Leases this gateway stopped holding, by reason', labelNames: ['reason'], registers });
    this.token = new Gauge({ name: 'stormcheck_cluster_fencing_token', help: 'Highest fencing token this gateway holds or held', registers });
    this.renewals = new Gauge({ name: 'stormcheck_cluster_lease_renewals', help: 'Lease renewals of current members, by result', labelNames: ['result'], registers });
    this.lag = new Histogram({
      name: 'stormcheck_cluster_pubsub_lag_seconds',
      help: 'Time from the owner publishing a tick to this gateway receiving it',
      buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.publishFailures = new Counter({ name: 'stormcheck_cluster_relay_publish_failures_total', help: 'Ticks the owner could not publish', registers });
    this.badFrames = new Counter({ name: 'stormcheck_cluster_relay_bad_frames_total', help: 'Relay messages that did not decode', registers });
    this.forged = new Counter({
      name: 'stormcheck_cluster_forged_messages_total',
      help: 'Relay messages and demand members dropped because their HMAC did not match, by channel',
      labelNames: ['channel'],
      registers,
    });
    for (const channel of ['ticks', 'status', 'demand-changed', 'demand']) this.forged.inc({ channel }, 0);
    this.stale = new Counter({
      name: 'stormcheck_cluster_stale_messages_total',
      help: 'Authenticated relay messages dropped because they were sent longer ago than the lease TTL (replays), by channel',
      labelNames: ['channel'],
      registers,
    });
    for (const channel of ['ticks', 'status']) this.stale.inc({ channel }, 0);
    this.refusedDemand = new Counter({
      name: 'stormcheck_cluster_demand_refused_total',
      help: 'Demand reads cut short: a set over the per-gateway cap (refused whole) or demand over the per-user cap',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['oversized-set', 'over-user-cap']) this.refusedDemand.inc({ reason }, 0);
    this.overCap = new Gauge({
      name: 'stormcheck_cluster_union_over_cap',
      help: 'Upstream keys the cluster wants that the holder left out to stay within the tokens-per-connection cap',
      registers,
    });
  }

  /** `upstream` names one (user, broker) this gateway holds; 0 when all its keys are subscribed or it holds none. */
  unionLeftOut(upstream: string, keys: number): void {
    if (keys > 0) this.leftOut.set(upstream, keys);
    else this.leftOut.delete(upstream);
    this.overCap.set([...this.leftOut.values()].reduce((sum, n) => sum + n, 0));
  }

  leaseAcquired(token: number, takeover: boolean): void {
    this.acquisitions.inc();
    if (takeover) {
      this.failovers.inc();
      this.failoverCount += 1;
    }
    this.highestToken = Math.max(this.highestToken, token);
    this.token.set(this.highestToken);
  }

  leaseLost(reason: LeaseLossReason): void {
    this.losses.inc({ reason });
  }

  relayLag(ms: number): void {
    this.lastLagMs = ms;
    this.lag.observe(Math.max(0, ms) / 1000);
  }

  forgedMessage(channel: string): void {
    this.forgedTotal += 1;
    this.forged.inc({ channel });
  }

  staleMessage(channel: string): void {
    this.stale.inc({ channel });
  }

  demandRefused(reason: string): void {
    this.refusedDemand.inc({ reason });
  }

  get forgedCount(): number {
    return this.forgedTotal;
  }

  relayPublishFailed(): void {
    this.publishFailures.inc();
  }

  badRelayFrame(): void {
    this.badFrames.inc();
  }

  get failoversTaken(): number {
    return this.failoverCount;
  }

  get lastPubsubLagMs(): number | undefined {
    return this.lastLagMs;
  }
}
