import type { Logger } from 'pino';
import type { BackoffPolicy } from './backoff.ts';
import type { AdapterState } from './lifecycle.ts';
import type { UpstreamKey } from './upstream-key.ts';
import type { UpstreamSocketConstructor } from './upstream-socket.ts';
import type { Clock, RandomSource } from '../clock.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { BrokerName, BrokerStatusMessage } from '../../protocol/openalgo/index.ts';
import type { Tick } from '../../protocol/smartapi/index.ts';
import type { UserRecord } from '../users.ts';

export interface AdapterHealth {
  user: string;
  broker: BrokerName;
  state: AdapterState;
  upstreamConnections: number;
  subscriptions: number;
  clients: number;
}

/**
 * What the client side needs from an upstream adapter, whichever registry made it. Subscribe and
 * unsubscribe are set operations on upstream keys; reference counting across clients happens before
 * (in the fan-out), so an adapter sees each (token, mode) once.
 */
export interface UpstreamAdapter {
  readonly user: UserRecord;
  readonly broker: BrokerName;
  readonly state: AdapterState;
  subscribe(keys: UpstreamKey[]): void;
  unsubscribe(keys: UpstreamKey[]): void;
  /** How many more upstream keys this adapter may hold (AngelOne: 1000 tokens per connection). */
  remainingCapacity(): number;
  /** Whether the upstream connection carries `key` already (in a cluster, for another gateway), so adding it takes no token. */
  carries(key: UpstreamKey): boolean;
  upstreamConnections(): number;
  subscriptionCount(): number;
}

/** The adapter-specific part of a `broker_status` message; the session adds type, broker and user. */
export type BrokerStatusUpdate = Omit<BrokerStatusMessage, 'type' | 'broker' | 'user_id'>;

/** How adapters report back to the client side. */
export interface AdapterListener {
  /** `frame` is the broker's SmartAPI frame the tick was decoded from (the cluster relays it as received). */
  onTick(adapter: UpstreamAdapter, tick: Tick, frame: Buffer): void;
  /** The upstream changed state (connecting, open, refused and retrying, failed): clients hear `broker_status`. */
  onStatus(adapter: UpstreamAdapter, status: BrokerStatusUpdate): void;
  /** The adapter gave up (or was closed): its clients should hear BROKER_ERROR. */
  onFailed(adapter: UpstreamAdapter, message: string): void;
}

export interface HeartbeatPolicy {
  /** Send text `ping` this often. */
  pingMs: number;
  /** Reconnect when nothing (data or pong) arrived for this long. */
  deadMs: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatPolicy = { pingMs: 10_000, deadMs: 25_000 };

/** Everything an adapter needs from the outside world; the registry passes it through. */
export interface AdapterDeps {
  brokerUrl: string;
  WebSocket: UpstreamSocketConstructor;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Connection attempts per cycle before giving up (`--max-reconnect`). */
  maxReconnect: number;
  backoff: BackoffPolicy;
  heartbeat: HeartbeatPolicy;
  maxTokens: number;
  listener: AdapterListener;
}

/** The upstream is failed or closed: the client gets BROKER_ERROR with this message. */
export class BrokerUnavailableError extends Error {
  readonly code = 'BROKER_ERROR';
}
