import WebSocket from 'ws';
import { CREDENTIAL_HEADERS, ERROR_HEADER } from '../../protocol/smartapi/index.ts';
import type { UserRecord } from '../users.ts';

/**
 * The slice of a `ws` WebSocket the adapters use. Injected (`GatewayOptions.WebSocket`) so unit tests can
 * drive the adapters with fake sockets; production uses `ws`.
 */
export interface UpstreamSocket {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  terminate(): void;
  // `any[]` matches ws's own overload signature; a narrower type would not accept the real class.
  on(event: string, listener: (...args: any[]) => void): unknown;
}

export type UpstreamSocketConstructor = new (
  url: string,
  options: { headers: Record<string, string>; perMessageDeflate: boolean; handshakeTimeout: number },
) => UpstreamSocket;

export const DefaultUpstreamSocket: UpstreamSocketConstructor = WebSocket as unknown as UpstreamSocketConstructor;

/** How one dial ended: opened then closed, or refused during the handshake. */
export interface DialOutcome {
  opened: boolean;
  /** HTTP status of a refused handshake (401, 429, …). */
  status?: number;
  /** The broker's `x-error-message`, or the socket error's message. */
  reason?: string;
  /** WebSocket close code of an opened socket; 1006 means the TCP connection was cut without a close frame. */
  closeCode?: number;
  /** The refusal's `Retry-After`, in ms, at most MAX_RETRY_AFTER_MS. */
  retryAfterMs?: number;
}

/** A broker asking for more than this is waited out for this long: a typo must not silence a user for a day. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, now: number): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

export interface DialHandlers {
  onOpen(): void;
  onMessage(data: Buffer, isBinary: boolean): void;
  /** Called exactly once per dial, after the socket is gone. */
  onClosed(outcome: DialOutcome): void;
}

/**
 * SmartAPI handshake headers (docs/architecture.md#smartapi-websocket-20); the JWT goes as a Bearer token.
 */
export function credentialHeaders(user: UserRecord): Record<string, string> {
  const jwt = user.authToken.startsWith('Bearer ') ? user.authToken : `Bearer ${user.authToken}`;
  return {
    Authorization: jwt,
    [CREDENTIAL_HEADERS.apiKey]: user.brokerApiKey,
    [CREDENTIAL_HEADERS.clientCode]: user.clientCode,
    [CREDENTIAL_HEADERS.feedToken]: user.feedToken,
  };
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Opens one upstream socket and folds ws's open/unexpected-response/error/close events into three calls. */
export function dialUpstream(
  Ctor: UpstreamSocketConstructor,
  url: string,
  user: UserRecord,
  handlers: DialHandlers,
): UpstreamSocket {
  const socket = new Ctor(url, {
    headers: credentialHeaders(user),
    perMessageDeflate: false,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  const outcome: DialOutcome = { opened: false };
  let closed = false;
  socket.on('open', () => {
    outcome.opened = true;
    handlers.onOpen();
  });
  socket.on('unexpected-response', (_req: unknown, res: { statusCode?: number; headers: Record<string, unknown>; resume(): void }) => {
    outcome.status = res.statusCode;
    const header = res.headers[ERROR_HEADER];
    if (typeof header === 'string') outcome.reason = header;
    const retryAfter = retryAfterMs(res.headers['retry-after'], Date.now());
    if (retryAfter !== undefined) outcome.retryAfterMs = retryAfter;
    res.resume();
    socket.terminate();
  });
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    handlers.onMessage(toBuffer(data), isBinary);
  });
  socket.on('error', (err: Error) => {
    outcome.reason ??= err.message;
  });
  socket.on('close', (code?: number) => {
    if (closed) return;
    closed = true;
    if (outcome.opened) outcome.closeCode = code;
    handlers.onClosed(outcome);
  });
  return socket;
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
