/**
 * AngelOne SmartAPI WebSocket 2.0, as docs/architecture.md#smartapi-websocket-20 describes it. Every other
 * module imports these; nothing else spells a mode number, an offset, a header name or an error string.
 */

export const SMART_STREAM_PATH = '/smart-stream';

/** Handshake credentials: request headers (lower-case, as Node reports them)… */
export const CREDENTIAL_HEADERS = {
  authorization: 'authorization',
  apiKey: 'x-api-key',
  clientCode: 'x-client-code',
  feedToken: 'x-feed-token',
} as const;

/** …or query parameters, which browsers use because they cannot set headers on a WebSocket. */
export const CREDENTIAL_QUERY = {
  clientCode: 'clientCode',
  feedToken: 'feedToken',
  apiKey: 'apiKey',
} as const;

/** Handshake refusals are plain HTTP responses that carry the reason in this header. */
export const ERROR_HEADER = 'x-error-message';
export const CONNECTION_LIMIT_MESSAGE = 'Invalid Request. Connection Limit Exceeded.';
export const AUTH_ERROR_MESSAGES = {
  header: 'Invalid Header',
  clientCode: 'Invalid ClientCode',
  feedToken: 'Invalid FeedToken',
  apiKey: 'Invalid ApiKey',
} as const;

export const HEARTBEAT = { ping: 'ping', pong: 'pong' } as const;

export const Action = { unsubscribe: 0, subscribe: 1 } as const;
export type ActionCode = (typeof Action)[keyof typeof Action];

export const SubscriptionMode = { ltp: 1, quote: 2, snapQuote: 3, depth20: 4 } as const;
export type SubscriptionModeCode = (typeof SubscriptionMode)[keyof typeof SubscriptionMode];

export const ExchangeType = {
  nse_cm: 1,
  nse_fo: 2,
  bse_cm: 3,
  bse_fo: 4,
  mcx_fo: 5,
  ncx_fo: 7,
  cde_fo: 13,
} as const;
export type ExchangeTypeName = keyof typeof ExchangeType;
export type ExchangeTypeCode = (typeof ExchangeType)[ExchangeTypeName];

export const EXCHANGE_TYPE_CODES: readonly ExchangeTypeCode[] = Object.values(ExchangeType);

/** AngelOne documents 1000 tokens per connection; Depth-20 allows 50, on nse_cm only. */
export const MAX_TOKENS_PER_CONNECTION = 1000;
export const MAX_DEPTH20_TOKENS = 50;
export const DEPTH20_EXCHANGE_TYPE = ExchangeType.nse_cm;

export const RequestErrorCode = { invalidPayload: 'E1001', subscriptionLimit: 'E1002' } as const;
export const REQUEST_ERROR_MESSAGES = {
  E1001: 'Invalid Request Payload.',
  E1002: 'Invalid Request. Subscription Limit Exceeded.',
} as const;
export type RequestErrorCodeValue = keyof typeof REQUEST_ERROR_MESSAGES;

/** Size in bytes of each binary tick, by subscription mode. */
export const PACKET_SIZE = { 1: 51, 2: 123, 3: 379, 4: 443 } as const satisfies Record<SubscriptionModeCode, number>;

export const TOKEN_BYTES = 25;

/**
 * Byte offsets of the LTP / Quote / SnapQuote layout (docs/architecture.md#smartapi-websocket-20). All
 * integers little-endian.
 */
export const OFFSET = {
  mode: 0,
  exchangeType: 1,
  token: 2,
  sequenceNumber: 27,
  exchangeTimestamp: 35,
  lastTradedPrice: 43,
  lastTradedQuantity: 51,
  averageTradedPrice: 59,
  volumeTradedToday: 67,
  totalBuyQuantity: 75,
  totalSellQuantity: 83,
  openPrice: 91,
  highPrice: 99,
  lowPrice: 107,
  closePrice: 115,
  lastTradedTimestamp: 123,
  openInterest: 131,
  openInterestChangePercent: 139,
  bestFive: 147,
  upperCircuit: 347,
  lowerCircuit: 355,
  week52High: 363,
  week52Low: 371,
} as const;

/** Best-five levels: 10 entries of {flag uint16, quantity int64, price int64, orders uint16}. */
export const BEST_FIVE = { levels: 5, entryBytes: 20, buyFlag: 1, sellFlag: 0 } as const;

/** Depth-20 (mode 4): its own layout after the 27-byte header. */
export const DEPTH20 = {
  exchangeTimestamp: 27,
  packetReceivedTime: 35,
  levels: 43,
  levelCount: 20,
  levelBytes: 10,
} as const;
