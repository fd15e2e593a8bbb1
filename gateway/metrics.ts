import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { packageVersion } from '../contract/package-version.ts';
import { ErrorCode } from '../protocol/openalgo/index.ts';

/** Label values that exist from the start, so dashboards and alerts see 0 rather than no series. */
const KNOWN_REJECTION_STATUSES = ['401', '403', '429', '500', '503'] as const;
const KNOWN_CLOSE_REASONS = ['auth_timeout', 'slow_consumer', 'auth_failures', 'upgrade_timeout', 'too_many_pending_upgrades'] as const;

/**
 * Prometheus metrics of one gateway, on its own Registry so two gateways in one process (reproduce runs
 * legacy and singleton side by side) never mix their numbers.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly clientMessages = new Counter({
    name: 'stormcheck_gateway_client_messages_total',
    help: 'Frames received from OpenAlgo clients',
    registers: [this.registry],
  });
  readonly clientErrors = new Counter({
    name: 'stormcheck_gateway_client_errors_total',
    help: 'Error replies sent to clients, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly clientsClosed = new Counter({
    name: 'stormcheck_gateway_clients_closed_total',
    help: 'Client connections the gateway closed, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly ticksReceived = new Counter({
    name: 'stormcheck_gateway_upstream_ticks_total',
    help: 'Binary ticks received from AngelOne',
    registers: [this.registry],
  });
  readonly badTicks = new Counter({
    name: 'stormcheck_gateway_upstream_bad_ticks_total',
    help: 'Binary upstream frames that were not valid ticks',
    registers: [this.registry],
  });
  readonly messagesDelivered = new Counter({
    name: 'stormcheck_gateway_market_data_sent_total',
    help: 'market_data messages sent to clients',
    registers: [this.registry],
  });
  readonly messagesDropped = new Counter({
    name: 'stormcheck_gateway_market_data_dropped_total',
    help: 'market_data messages dropped for clients over the soft buffer cap',
    registers: [this.registry],
  });
  readonly upstreamAttempts = new Counter({
    name: 'stormcheck_gateway_upstream_connect_attempts_total',
    help: 'Upstream WebSocket connection attempts',
    registers: [this.registry],
  });
  readonly upstreamRejections = new Counter({
    name: 'stormcheck_gateway_upstream_rejections_total',
    help: 'Upstream handshakes refused, by HTTP status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly adaptersCreated = new Counter({
    name: 'stormcheck_gateway_adapters_created_total',
    help: 'Upstream adapters created',
    registers: [this.registry],
  });
  readonly clients = new Gauge({
    name: 'stormcheck_gateway_clients',
    help: 'Connected OpenAlgo clients',
    registers: [this.registry],
  });
  readonly adapters = new Gauge({
    name: 'stormcheck_gateway_adapters',
    help: 'Adapters currently held by the registry',
    registers: [this.registry],
  });
  readonly upstreamConnections = new Gauge({
    name: 'stormcheck_gateway_upstream_connections',
    help: 'Open upstream WebSocket connections',
    registers: [this.registry],
  });
  readonly buildInfo = new Gauge({
    name: 'stormcheck_build_info',
    help: 'Always 1; the labels say which stormcheck, Node and registry this gateway runs',
    labelNames: ['version', 'node_version', 'registry'],
    registers: [this.registry],
  });

  constructor() {
    for (const status of KNOWN_REJECTION_STATUSES) this.upstreamRejections.inc({ status }, 0);
    for (const reason of KNOWN_CLOSE_REASONS) this.clientsClosed.inc({ reason }, 0);
    for (const code of Object.values(ErrorCode)) this.clientErrors.inc({ code }, 0);
  }

  /**
   * Adds process and runtime metrics (CPU, RSS, heap, event-loop lag, GC) and the build info. Only a
   * running gateway does this: the collectors keep observers alive for the life of the process.
   */
  describeProcess(registryMode: string): void {
    collectDefaultMetrics({ register: this.registry });
    this.buildInfo.set({ version: packageVersion(), node_version: process.version, registry: registryMode }, 1);
  }
}
