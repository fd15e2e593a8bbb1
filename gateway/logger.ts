import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../contract/log-levels.ts';

/**
 * The gateway's one logger. Every line carries an `event` field; the messages of the adapter and upstream
 * events repeat OpenAlgo's own wording (docs/architecture.md#log-templates) so the verifier reads both worlds
 * with one rule set.
 */
export const LogEvent = {
  gatewayStart: 'gateway.start',
  gatewayStop: 'gateway.stop',
  gatewayError: 'gateway.error',
  adapterCreate: 'adapter.create',
  adapterReuse: 'adapter.reuse',
  adapterRemove: 'adapter.remove',
  adapterActive: 'adapter.active',
  adapterTeardown: 'adapter.teardown',
  adapterLinger: 'adapter.linger',
  upstreamConnect: 'upstream.connect',
  upstreamOpen: 'upstream.open',
  upstreamClose: 'upstream.close',
  upstreamRejected: 'upstream.rejected',
  upstreamError: 'upstream.error',
  upstreamDead: 'upstream.dead',
  upstreamBackoff: 'upstream.backoff',
  upstreamPause: 'upstream.pause',
  upstreamExhausted: 'upstream.exhausted',
  upstreamRequestError: 'upstream.request_error',
  upstreamSubscribe: 'upstream.subscribe',
  clientConnect: 'client.connect',
  clientAuth: 'client.auth',
  clientAuthFailed: 'client.auth_failed',
  clientSourceBlocked: 'client.source_blocked',
  clientDisconnect: 'client.disconnect',
  clientError: 'client.error',
  clientSocketError: 'client.socket_error',
  clientSlow: 'client.slow',
  clientIdleTimeout: 'client.idle_timeout',
  adminLogout: 'admin.logout',
} as const;

/** Message templates; `U` is a user id, `N` a number, as in OpenAlgo's logs. */
export const LogMessage = {
  adapterCreate: (user: string) => `Creating NEW angel adapter for user ${user}`,
  adapterReuse: (user: string) => `Reusing existing angel adapter for user ${user}`,
  adapterRemove: (user: string) => `Removed angel adapter for user ${user}`,
  adapterActive: (n: number) => `Active angel adapters: ${n}`,
  adapterLinger: (ms: number, user: string) => `No clients for ${ms} ms; releasing angel adapter for user ${user}`,
  adapterTeardown: (user: string) => `Last client for user ${user} disconnected. Disconnecting angel adapter.`,
  /** OpenAlgo's line; the gateway adds how many of its clients want the upstream, where it knows. */
  upstreamConnect: (attempt: number, clients?: number) =>
    `Connecting to Angel WebSocket (attempt ${attempt})${clients === undefined ? '' : ` for ${clients} client(s)`}`,
  upstreamOpen: 'Connected to Angel WebSocket',
  upstreamClose: 'Angel WebSocket connection closed',
  upstreamRejected: (status: number, reason: string | undefined) =>
    status === 429
      ? 'Angel WebSocket error: Handshake status 429 Connection Limit Exceeded'
      : `Angel WebSocket error: Handshake status ${status}${reason ? ` ${reason}` : ''}`,
  upstreamError: (reason: string) => `Angel WebSocket error: ${reason}`,
  upstreamExhausted: 'Max reconnection attempts reached. Giving up.',
} as const;

/** Field paths pino blanks out wherever a secret could be attached to a log line by mistake. */
const REDACT_PATHS = [
  'apiKey',
  'api_key',
  'brokerApiKey',
  'feedToken',
  'authToken',
  'authorization',
  'Authorization',
  'headers',
  '*.apiKey',
  '*.api_key',
  '*.brokerApiKey',
  '*.feedToken',
  '*.authToken',
  '*.authorization',
  '*.Authorization',
  '*.headers',
];


export interface LoggerOptions {
  destination?: DestinationStream;
  pretty?: boolean;
  level?: LogLevel;
}

/**
 * Colours only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org):
 * escape codes in a piped log break grep and the verifier.
 */
export function prettyColours(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  return stdoutIsTTY && !env.NO_COLOR;
}

/** JSON lines to `destination` (default stdout), or pino-pretty when asked. */
export function createGatewayLogger(options: LoggerOptions = {}): Logger {
  const stream = options.pretty
    ? pretty({ colorize: prettyColours(process.env, process.stdout.isTTY === true), destination: 1 })
    : options.destination;
  return pino(
    {
      name: 'stormcheck-gateway',
      level: options.level ?? 'info',
      // As in the mock broker's lines: which process wrote a line matters once several run on one host.
      base: { pid: process.pid, hostname: hostname() },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    stream ?? pino.destination({ dest: 1, sync: false }),
  );
}
