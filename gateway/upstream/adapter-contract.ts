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
  /** The singleton's upstream pool: its connections (open or not, each counted against the budget). */
  pool?: PoolHealth;
}

/** One adapter's line of `/health`, the same whichever registry holds it. */
export function adapterHealth(adapter: UpstreamAdapter, clients: number, pool?: PoolHealth): AdapterHealth {
  return {
    user: adapter.user.userId,
    broker: adapter.broker,
    state: adapter.state,
    upstreamConnections: adapter.upstreamConnections(),
    subscriptions: adapter.subscriptionCount(),
    clients,
    ...(pool && { pool }),
  };
}

export interface PoolHealth {
  /** `--max-upstream`: connections the pool may hold at once. */
  maxUpstream: number;
  /** Tokens on each connection the pool holds, the first one first; closing ones included. */
  tokens: number[];
  /** Connections open at the broker. */
  open: number;
  /** Symbols accepted but not receiving data: on a refused extra connection, or waiting for a slot. */
  waiting: number;
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
  /**
   * Why `key` receives no data although the user's upstream is open (its pool connection is refused or
   * not open yet), or undefined; adapters of one connection have no such case.
   */
  waitingReason?(key: UpstreamKey): string | undefined;
  /** The largest number of upstream keys the adapter may ever hold, for the message of a refused subscribe. */
  readonly tokenBudget?: TokenBudget;
}

/** How many upstream connections of how many tokens each an adapter may use. */
export interface TokenBudget {
  connections: number;
  tokensPerConnection: number;
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
  /**
   * Some keys' state differs from the adapter's (a pool's extra connection was refused, or opened): the
   * clients holding them hear `subscription_status`.
   */
  onKeysStatus?(adapter: UpstreamAdapter, keys: UpstreamKey[], status: BrokerStatusUpdate & { message: string }): void;
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
  /**
   * This gateway's clients of the user, for the dial line; absent where the figure would mislead (in a
   * cluster, the gateway holding the upstream serves clients of other gateways too).
   */
  clientsOf?: (user: UserRecord) => number;
}

/** The upstream is failed or closed: the client gets BROKER_ERROR with this message. */
export class BrokerUnavailableError extends Error {
  readonly code = 'BROKER_ERROR';
}
