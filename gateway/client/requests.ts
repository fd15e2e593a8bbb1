import { ClientAction, ErrorCode, OpenAlgoMode, type ErrorCodeValue, type OpenAlgoModeCode } from '../../protocol/openalgo/index.ts';

/**
 * Turns one client text frame into a typed request or a protocol error, so the session never touches
 * unchecked JSON. Shapes follow docs/architecture.md#openalgo-client-protocol and OpenAlgo's server: `action`
 * or `type`, a single `symbol` + `exchange` or a `symbols` array, modes as 1/2/3 or LTP/Quote/Depth in any
 * case.
 */

export interface SymbolRequest {
  symbol: string;
  exchange: string;
  mode: OpenAlgoModeCode;
}

export interface SubscribeRequest {
  action: 'subscribe';
  items: SymbolRequest[];
  depth: number;
  requestId?: unknown;
}

export type ClientRequest =
  | { action: 'authenticate'; apiKey: string }
  | SubscribeRequest
  | { action: 'unsubscribe'; items: SymbolRequest[]; requestId?: unknown }
  | { action: 'unsubscribe_all'; requestId?: unknown }
  | { action: 'get_broker_info' }
  | { action: 'get_supported_brokers' }
  | { action: 'ping'; timestamp?: unknown; pingId?: unknown };

export interface RequestError {
  error: ErrorCodeValue;
  message: string;
}

/** OpenAlgo's server defaults a missing mode to Quote, on subscribe and unsubscribe alike. */
const DEFAULT_MODE = OpenAlgoMode.Quote;
const DEFAULT_DEPTH = 5;
const MAX_SYMBOL_LENGTH = 64;
const MAX_EXCHANGE_LENGTH = 16;
/**
 * Longest `request_id`, `timestamp` or `_pingId` (as JSON) the gateway echoes back. Without a limit a
 * client that never reads turned each 65 KB ping into 65 KB of reply held in the gateway's memory.
 */
export const MAX_ECHOED_ID_LENGTH = 128;

const MODE_BY_NAME: Record<string, OpenAlgoModeCode> = {
  LTP: OpenAlgoMode.LTP,
  QUOTE: OpenAlgoMode.Quote,
  DEPTH: OpenAlgoMode.Depth,
};

type Json = Record<string, unknown>;

export function parseRequest(text: string): ClientRequest | RequestError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: ErrorCode.invalidJson, message: 'Invalid JSON message' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { error: ErrorCode.invalidJson, message: 'Expected a JSON object' };
  }
  const msg = data as Json;
  const action = typeof msg.action === 'string' ? msg.action : msg.type;
  switch (action) {
    case ClientAction.authenticate:
    case ClientAction.auth: {
      const apiKey = msg.api_key ?? msg.apikey;
      if (typeof apiKey !== 'string' || apiKey === '') {
        return { error: ErrorCode.authentication, message: 'API key is required' };
      }
      return { action: 'authenticate', apiKey };
    }
    case ClientAction.subscribe:
      return parseSubscribe(msg);
    case ClientAction.unsubscribe: {
      const items = parseSymbols(msg);
      if ('error' in items) return items;
      return tooLongToEcho(msg, 'request_id') ?? { action: 'unsubscribe', items, requestId: msg.request_id };
    }
    case ClientAction.unsubscribeAll:
      return tooLongToEcho(msg, 'request_id') ?? { action: 'unsubscribe_all', requestId: msg.request_id };
    case ClientAction.getBrokerInfo:
      return { action: 'get_broker_info' };
    case ClientAction.getSupportedBrokers:
      return { action: 'get_supported_brokers' };
    case ClientAction.ping:
      return tooLongToEcho(msg, 'timestamp') ?? tooLongToEcho(msg, '_pingId') ?? { action: 'ping', timestamp: msg.timestamp, pingId: msg._pingId };
    default:
      return { error: ErrorCode.invalidAction, message: `Invalid action: ${describe(action)}` };
  }
}

function parseSubscribe(msg: Json): SubscribeRequest | RequestError {
  const items = parseSymbols(msg);
  if ('error' in items) return items;
  const depth = msg.depth ?? DEFAULT_DEPTH;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1) {
    return { error: ErrorCode.invalidParameters, message: 'depth must be a positive integer' };
  }
  return tooLongToEcho(msg, 'request_id') ?? { action: 'subscribe', items, depth, requestId: msg.request_id };
}

function tooLongToEcho(msg: Json, field: string): RequestError | undefined {
  const value = msg[field];
  if (value === undefined || (JSON.stringify(value)?.length ?? 0) <= MAX_ECHOED_ID_LENGTH) return undefined;
  return { error: ErrorCode.invalidParameters, message: `${field} is echoed back, so it may be at most ${MAX_ECHOED_ID_LENGTH} characters of JSON` };
}

/** The symbols of a (un)subscribe frame, each with its own mode or the frame's. */
function parseSymbols(msg: Json): SymbolRequest[] | RequestError {
  const frameMode = parseMode(msg.mode);
  if (frameMode === undefined) return badMode(msg.mode);
  let raw: unknown[];
  if (msg.symbols !== undefined) {
    if (!Array.isArray(msg.symbols) || msg.symbols.length === 0) {
      return { error: ErrorCode.invalidParameters, message: 'symbols must be a non-empty array of {symbol, exchange}' };
    }
    raw = msg.symbols;
  } else if (msg.symbol !== undefined || msg.exchange !== undefined) {
    raw = [{ symbol: msg.symbol, exchange: msg.exchange }];
  } else {
    return { error: ErrorCode.invalidParameters, message: 'At least one symbol must be specified' };
  }
  const items: SymbolRequest[] = [];
  for (const [i, entry] of raw.entries()) {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Json;
    if (!isName(e.symbol, MAX_SYMBOL_LENGTH) || !isName(e.exchange, MAX_EXCHANGE_LENGTH)) {
      return {
        error: ErrorCode.invalidParameters,
        message: `symbols[${i}] needs a non-empty "symbol" (≤ ${MAX_SYMBOL_LENGTH} chars) and "exchange" (≤ ${MAX_EXCHANGE_LENGTH} chars)`,
      };
    }
    const mode = e.mode === undefined ? frameMode : parseMode(e.mode);
    if (mode === undefined) return badMode(e.mode);
    items.push({ symbol: e.symbol, exchange: e.exchange, mode });
  }
  return items;
}

function isName(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= maxLength;
}

/** 1/2/3, "1"/"2"/"3" or LTP/Quote/Depth in any case; undefined for anything else. */
function parseMode(value: unknown): OpenAlgoModeCode | undefined {
  if (value === undefined || value === null) return DEFAULT_MODE;
  if (value === 1 || value === 2 || value === 3) return value;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '1' || trimmed === '2' || trimmed === '3') return Number(trimmed) as OpenAlgoModeCode;
  return MODE_BY_NAME[trimmed.toUpperCase()];
}

function badMode(value: unknown): RequestError {
  return { error: ErrorCode.invalidParameters, message: `Invalid mode ${describe(value)}; use 1/2/3 or LTP/Quote/Depth` };
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
