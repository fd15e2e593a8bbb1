import { Action, EXCHANGE_TYPE_CODES, HEARTBEAT, PACKET_SIZE, REQUEST_ERROR_MESSAGES, TOKEN_BYTES, type ExchangeTypeCode, type RequestErrorCodeValue, type SubscriptionModeCode, type SmartApiRequest, type SmartApiRequestError } from '../protocol/smartapi/index.ts';

/** What one text frame from a client asks for. */
export type ClientText =
  | { kind: 'ping' }
  | { kind: 'request'; request: SmartApiRequest }
  | { kind: 'invalid'; correlationID: string };

/** The JSON error frame SmartAPI answers a refused request with. */
export function requestError(correlationID: string, errorCode: RequestErrorCodeValue): SmartApiRequestError {
  return { correlationID, errorCode, errorMessage: REQUEST_ERROR_MESSAGES[errorCode] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMode(value: unknown): value is SubscriptionModeCode {
  return typeof value === 'number' && Object.hasOwn(PACKET_SIZE, value);
}

function isExchangeType(value: unknown): value is ExchangeTypeCode {
  return typeof value === 'number' && (EXCHANGE_TYPE_CODES as readonly number[]).includes(value);
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && /^[\x21-\x7e]+$/.test(value) && value.length <= TOKEN_BYTES;
}

/**
 * Classifies a client's text frame: the `ping` heartbeat, a well-formed subscribe/unsubscribe
 * request, or anything else (bad JSON, unknown action, mode or exchange type, missing fields), which
 * SmartAPI answers with E1001. Limits (E1002) are the subscription book's business, not this one's.
 * `correlationID` is optional: the official SDKs' `resubscribe()` omits it and AngelOne serves that
 * request (OpenAlgo streams through it after every SDK-level reconnect), so only a present but
 * non-string one makes the payload malformed.
 */
export function readClientText(text: string): ClientText {
  if (text === HEARTBEAT.ping) return { kind: 'ping' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'invalid', correlationID: '' };
  }
  if (!isRecord(body)) return { kind: 'invalid', correlationID: '' };
  const correlationID = typeof body.correlationID === 'string' ? body.correlationID : '';
  const invalid = { kind: 'invalid', correlationID } as const;
  const { action, params } = body;
  if (body.correlationID !== undefined && typeof body.correlationID !== 'string') return invalid;
  if (action !== Action.subscribe && action !== Action.unsubscribe) return invalid;
  if (!isRecord(params) || !isMode(params.mode)) return invalid;
  const { tokenList } = params;
  if (!Array.isArray(tokenList) || tokenList.length === 0) return invalid;
  const entries: SmartApiRequest['params']['tokenList'] = [];
  for (const entry of tokenList) {
    if (!isRecord(entry) || !isExchangeType(entry.exchangeType)) return invalid;
    const { tokens } = entry;
    if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every(isToken)) return invalid;
    entries.push({ exchangeType: entry.exchangeType, tokens: tokens as string[] });
  }
  return { kind: 'request', request: { correlationID, action, params: { mode: params.mode, tokenList: entries } } };
}
