import { oa } from './run-stormcheck.ts';

/**
 * Log lines in the exact shapes OpenAlgo, the AngelOne SDK, websocket-client and the mock broker write
 * (docs/architecture.md#log-templates), each at `ms` milliseconds after 2025-11-11 09:45:00 UTC like {@link oa}.
 */
const BASE = Date.UTC(2025, 10, 11, 9, 45, 0);

export { oa };

/** The SDK's logzero line (second resolution, as logzero's date format has no milliseconds). */
export function sdk(ms: number, level: 'I' | 'W' | 'E', line: number, message: string): string {
  const t = new Date(BASE + ms).toISOString();
  return `[${level} ${t.slice(2, 4)}${t.slice(5, 7)}${t.slice(8, 10)} ${t.slice(11, 19)} smartWebSocketV2:${line}] ${message}`;
}

/** SmartWebSocketV2 2026-08's retry line. */
export const sdkRetry = (ms: number, n: number) => sdk(ms, 'W', 416, `Attempting to resubscribe/reconnect (Attempt ${n})...`);

/** websocket-client ≥ 1.8's own line for a refused handshake (module `_logging`). */
export const goodbye429 = (ms: number) =>
  oa(
    ms,
    "Handshake status 429 Too Many Requests -+-+- {'server': 'nginx', 'content-type': 'text/html;charset=iso-8859-1', 'content-length': '615', " +
      "'x-error-message': 'Invalid Request. Connection Limit Exceeded.'} -+-+- b'<html><head><title>Error 429 Invalid Request. Connection Limit Exceeded.</title></head></html>' - goodbye",
    'ERROR',
    '_logging',
  );

/** OpenAlgo 2025's adapter error callback for the same handshake. */
export const adapter429 = (ms: number) => oa(ms, 'Angel WebSocket error: Handshake status 429 Too Many Requests', 'ERROR');

export const connecting = (ms: number, n: number) => oa(ms, `Connecting to Angel WebSocket (attempt ${n})`);
export const connected = (ms: number) => oa(ms, 'Connected to Angel WebSocket');
export const createAdapter2025 = (ms: number) => oa(ms, 'Creating adapter for broker: angel', 'INFO', 'broker_factory');
export const createNew = (ms: number, user = 'rajandran') => oa(ms, `Creating NEW angel adapter for user ${user}`, 'INFO', 'broker_factory');
/** `users` users, each creating three adapters 20 ms apart, one user every 100 ms: findings for every user. */
export function burstingUsers(users: number): string {
  const lines: string[] = [];
  for (let u = 0; u < users; u++) for (let k = 0; k < 3; k++) lines.push(createNew(u * 100 + k * 20, `u${u}`));
  return `${lines.join('\n')}\n`;
}
export const lastClient = (ms: number, user = 'rajandran') => oa(ms, `Last client for user ${user} disconnected. Disconnecting angel adapter.`, 'INFO', 'server');
/** OpenAlgo 2026's adapter reconnect loop: `delay = min(5 * 2**n, 60)`. */
export const reconnectingIn = (ms: number, delayS: number, n: number) => oa(ms, `Reconnecting in ${delayS}s (attempt ${n})`);
export const stall = (ms: number, silentS: number) =>
  sdk(ms, 'E', 528, `Angel data stall detected - no data for ${silentS.toFixed(1)}s (timeout: 90s). Forcing reconnect...`);

/** The mock broker's pino line for a refused handshake (mock-broker/admission.ts). */
export function mockRejected(ms: number, clientCode = 'SINGLE1', count = 3): string {
  return JSON.stringify({
    level: 40,
    time: BASE + ms,
    pid: 4242,
    hostname: 'ci',
    name: 'mock-broker',
    event: 'connection.rejected',
    endpoint: 'smart-stream',
    clientCode,
    status: 429,
    reason: 'connection limit',
    count,
    limit: 3,
    msg: `Rejected smart-stream handshake for ${clientCode} with 429 Invalid Request. Connection Limit Exceeded.`,
  });
}

/** A line of OpenAlgo's `log/errors.jsonl` (utils/logging.py JSONErrorFormatter). */
export function errorsJsonl(ms: number, message: string, module = 'angel_adapter'): string {
  const t = new Date(BASE + ms).toISOString();
  return JSON.stringify({
    ts: `${t.slice(0, 10)} ${t.slice(11, 19)}`,
    level: 'ERROR',
    logger: `broker.angel.streaming.${module}`,
    module,
    file: `broker/angel/streaming/${module}.py`,
    message,
    request: {},
  });
}

/** AngelOne's REST throttling loop as OpenAlgo logs it (OpenAlgo #1181): two lines, no 429. */
export const restThrottled = (ms: number) => [oa(ms, 'API Response Status: False', 'INFO', 'order_api'), oa(ms + 1, 'Error response: Too many requests', 'INFO', 'order_api')];

/** The largest number of `times` within any window of `spanMs` (inclusive, as the rules count). */
export function peakWithin(times: readonly number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] > spanMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

/** The gateway's own pino line (gateway/logger.ts) for `user` demo on angel, with the event's extra fields. */
export function gatewayLine(ms: number, event: string, msg: string, fields: Record<string, unknown> = {}, level = 30): string {
  return JSON.stringify({ level, time: BASE + ms, pid: 4242, hostname: 'ci', name: 'stormcheck-gateway', user: 'demo', broker: 'angel', event, ...fields, msg });
}
