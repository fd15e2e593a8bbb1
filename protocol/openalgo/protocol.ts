/**
 * OpenAlgo's client WebSocket protocol (docs/architecture.md#openalgo-client-protocol, from OpenAlgo's
 * websocket_proxy/server.py). The gateway serves it; the probe and reproduce clients speak it. All frames are
 * JSON text.
 */

export const DEFAULT_GATEWAY_PORT = 8765;

/** Client actions; `action` may also arrive as `type`. `auth` is an alias of `authenticate`. */
export const ClientAction = {
  authenticate: 'authenticate',
  auth: 'auth',
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  unsubscribeAll: 'unsubscribe_all',
  getBrokerInfo: 'get_broker_info',
  getSupportedBrokers: 'get_supported_brokers',
  ping: 'ping',
} as const;
export type ClientActionName = (typeof ClientAction)[keyof typeof ClientAction];

/** The `type` of each server message. */
export const ServerMessageType = {
  auth: 'auth',
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  brokerInfo: 'broker_info',
  supportedBrokers: 'supported_brokers',
  pong: 'pong',
  marketData: 'market_data',
  brokerStatus: 'broker_status',
  subscriptionStatus: 'subscription_status',
} as const;

export const ErrorCode = {
  authentication: 'AUTHENTICATION_ERROR',
  notAuthenticated: 'NOT_AUTHENTICATED',
  invalidJson: 'INVALID_JSON',
  invalidAction: 'INVALID_ACTION',
  invalidParameters: 'INVALID_PARAMETERS',
  broker: 'BROKER_ERROR',
  symbolNotFound: 'SYMBOL_NOT_FOUND',
  /**
   * Not in docs/architecture.md#openalgo-client-protocol's list; OpenAlgo's server answers an unexpected
   * exception with it.
   */
  server: 'SERVER_ERROR',
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export const Messages = {
  authSuccess: 'Authentication successful',
  subscriptionComplete: 'Subscription processing complete',
  unsubscriptionComplete: 'Unsubscription processing complete',
} as const;

/** OpenAlgo modes: 1 LTP, 2 Quote, 3 Depth; clients may also send the names. */
export const OpenAlgoMode = { LTP: 1, Quote: 2, Depth: 3 } as const;
export type OpenAlgoModeCode = (typeof OpenAlgoMode)[keyof typeof OpenAlgoMode];

export const SUPPORTED_BROKERS = ['angel'] as const;
export type BrokerName = (typeof SUPPORTED_BROKERS)[number];

export interface SymbolRef {
  symbol: string;
  exchange: string;
}

export interface ErrorMessage {
  status: 'error';
  code: ErrorCodeValue;
  message: string;
}

export interface AuthSuccessMessage {
  type: 'auth';
  status: 'success';
  message: string;
  broker: BrokerName;
  user_id: string;
  supported_features: { ltp: boolean; quote: boolean; depth: boolean };
}

export type SubscriptionResult =
  | (SymbolRef & { status: 'success'; mode: OpenAlgoModeCode; depth: number; broker: BrokerName })
  /** Accepted, but the upstream is not open yet: data starts once `broker_status` says `open`. */
  | (SymbolRef & { status: 'pending'; mode: OpenAlgoModeCode; depth: number; broker: BrokerName; message: string })
  | (SymbolRef & { status: 'error'; message: string; broker: BrokerName; code?: ErrorCodeValue });

export interface SubscribeResponse {
  type: 'subscribe';
  status: 'success' | 'partial' | 'error';
  subscriptions: SubscriptionResult[];
  message: string;
  broker: BrokerName;
}

export interface UnsubscribeResponse {
  type: 'unsubscribe';
  status: 'success' | 'partial' | 'error';
  message: string;
  successful: (SymbolRef & { mode?: OpenAlgoModeCode })[];
  failed: (SymbolRef & { message: string; code?: ErrorCodeValue })[];
  broker: BrokerName;
}

export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

/**
 * `data` of a market_data push, prices in rupees (docs/architecture.md#openalgo-client-protocol). Quote and
 * Depth add fields to LTP.
 */
export interface MarketData {
  ltp: number;
  ltt: number;
  timestamp: number;
  volume?: number;
  open?: number;
  high?: number;
  low?: number;
  close?: number;
  last_trade_quantity?: number;
  average_price?: number;
  total_buy_quantity?: number;
  total_sell_quantity?: number;
  oi?: number;
  upper_circuit?: number;
  lower_circuit?: number;
  depth?: { buy: DepthLevel[]; sell: DepthLevel[] };
}

export interface MarketDataMessage extends SymbolRef {
  type: 'market_data';
  mode: OpenAlgoModeCode;
  broker: BrokerName;
  data: MarketData;
  /**
   * Not OpenAlgo's: true on the last known tick sent at once to a new subscriber, before live ticks;
   * `data.timestamp` is still that tick's exchange timestamp, so a client can tell its age.
   */
  snapshot?: true;
}

/**
 * Close codes the gateway uses on client connections (4000–4999 is the application range of RFC 6455).
 * 1009 (message too big) comes from `ws` itself when a frame exceeds the gateway's maxPayload.
 */
export const GatewayCloseCode = {
  /** Connected but sent no successful authenticate within the idle timeout. */
  authTimeout: 4001,
  /** The user was logged out (POST /users/:id/logout); authenticate on a new connection. */
  loggedOut: 4002,
  /** The connection sent too many invalid API keys; reconnecting costs a new handshake each time. */
  tooManyAuthFailures: 4003,
  /** The gateway is shutting down. */
  goingAway: 1001,
} as const;

export interface PongMessage {
  type: 'pong';
  status: 'success';
  server_timestamp: number;
  client_timestamp?: unknown;
  _pingId?: unknown;
}

/**
 * The upstream connection's state as a client sees it. Not part of OpenAlgo's protocol: OpenAlgo holds the
 * `auth` reply until the upstream opens, so a refused upstream looked like a dead gateway. The gateway
 * answers `auth` at once and reports the upstream separately with this message.
 */
export const BrokerState = {
  /** A connection attempt is in flight. */
  connecting: 'connecting',
  /** The upstream is open; subscriptions receive data. */
  open: 'open',
  /** The broker refused or dropped the connection; the next attempt is `retry_in_ms` away. */
  refusedRetrying: 'refused-retrying',
  /** The attempt cycle is used up; the next subscribe or authenticate starts a new one. */
  failed: 'failed',
  /** Cluster mode: the coordination store cannot be reached, so no process may hold the upstream. */
  clusterUnavailable: 'cluster-unavailable',
} as const;
export type BrokerStateName = (typeof BrokerState)[keyof typeof BrokerState];

/** Sent after a successful `auth` and on every change of the user's upstream state. */
export interface BrokerStatusMessage {
  type: 'broker_status';
  broker: BrokerName;
  user_id: string;
  state: BrokerStateName;
  /** Milliseconds until the next attempt; only with `refused-retrying`. */
  retry_in_ms?: number;
  /** HTTP status of the last refusal (429 when another application holds the slots); only when refused. */
  http_status?: number;
  /** Human-readable detail, e.g. the reason for `failed`. */
  message?: string;
}

export interface BrokerInfoMessage {
  type: 'broker_info';
  status: 'success';
  broker: BrokerName;
  adapter_status: string;
  user_id: string;
}

export interface SupportedBrokersMessage {
  type: 'supported_brokers';
  status: 'success';
  brokers: BrokerName[];
  count: number;
}

/**
 * Not OpenAlgo's: the state of some of a client's symbols when it differs from the user's upstream as a
 * whole, e.g. symbols carried by a pool's extra connection that the broker refused. One message lists
 * every affected symbol of the client.
 */
export interface SubscriptionStatusMessage {
  type: 'subscription_status';
  broker: BrokerName;
  state: BrokerStateName;
  message: string;
  symbols: (SymbolRef & { mode: OpenAlgoModeCode })[];
  retry_in_ms?: number;
  http_status?: number;
}
