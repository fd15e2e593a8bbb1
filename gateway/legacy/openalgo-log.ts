/**
 * OpenAlgo's own log templates for the two versions the legacy registries model
 * (docs/architecture.md#log-templates: 2025-11 is commit 5c860ee, 2026-08 is 60156bc). Each line also names
 * the Python module that logged it, so `--log-format openalgo` can print `[time] LEVEL in module: message`
 * exactly as OpenAlgo does and `verify` reads it as it reads OpenAlgo's own logs. The SDK's lines keep the
 * module `smartWebSocketV2`.
 */

export const LegacyLogEvent = {
  adapterCreate: 'adapter.create',
  adapterReuse: 'adapter.reuse',
  adapterWrapper: 'adapter.wrapper',
  adapterConnected: 'adapter.connected',
  adapterTeardown: 'adapter.teardown',
  poolLifecycle: 'pool.lifecycle',
  upstreamConnect: 'upstream.connect',
  upstreamOpen: 'upstream.open',
  upstreamClose: 'upstream.close',
  upstreamRejected: 'upstream.rejected',
  upstreamError: 'upstream.error',
  upstreamBackoff: 'upstream.backoff',
  upstreamExhausted: 'upstream.exhausted',
  subscribeFailed: 'upstream.subscribe_failed',
  sdkRetry: 'sdk.retry',
  sdkGiveUp: 'sdk.give_up',
  stall: 'sdk.stall',
  freeze: 'legacy.freeze',
  adapterCleaned: 'adapter.cleaned',
  safetyCap: 'legacy.safety_cap',
} as const;

export const OpenAlgoModule = {
  factory: 'broker_factory',
  server: 'server',
  pool: 'connection_manager',
  adapter: 'angel_adapter',
  sdk: 'smartWebSocketV2',
  websocketClient: '_logging',
} as const;

const MAX_SYMBOLS = 1000;
const MAX_CONNECTIONS = 3;

/** The websocket-client ≥ 1.8 line for a refused handshake (headers and body abridged to the reason). */
export function handshakeRefused(status: number, reason: string | undefined): string {
  const phrase = status === 429 ? 'Too Many Requests' : status === 401 ? 'Unauthorized' : '';
  const header = reason ? `{'x-error-message': '${reason}'}` : '{}';
  return `Handshake status ${status} ${phrase} -+-+- ${header} -+-+- b'' - goodbye`;
}

/** Lines both versions share (adapter and SDK). */
export const CommonMessage = {
  connecting: (attempt: number) => `Connecting to Angel WebSocket (attempt ${attempt})`,
  connected: 'Connected to Angel WebSocket',
  closed: 'Angel WebSocket connection closed',
  successfullyCreated: (user: string) => `Successfully created and connected angel adapter for user ${user}`,
  lastClient: (user: string) => `Last client for user ${user} disconnected. Disconnecting angel adapter.`,
  sdkRetry: (attempt: number) => `Attempting to resubscribe/reconnect (Attempt ${attempt})...`,
  sdkGiveUp: 'Connection closed due to max retry attempts reached.',
  subscribeFailed: (reason: string) => `Error occurred during subscribe: ${reason}`,
} as const;

export const Message2025 = {
  creatingAdapter: 'Creating adapter for broker: angel',
  adapterError: (error: string) => `Angel WebSocket error: ${error}`,
} as const;

export const Message2026 = {
  creatingPooled: `Creating pooled adapter for broker: angel (max ${MAX_SYMBOLS} symbols × ${MAX_CONNECTIONS} connections)`,
  reusingPool: (poolKey: string) => `Reusing existing pool for ${poolKey}`,
  createdPool: (poolKey: string) => `Created new connection pool for ${poolKey}: max ${MAX_SYMBOLS} symbols × ${MAX_CONNECTIONS} connections`,
  poolInitialized: '[POOL] ========== CONNECTION POOL INITIALIZED ==========',
  poolConfig: `[POOL] Config: ${MAX_SYMBOLS} symbols/connection x ${MAX_CONNECTIONS} max connections = ${MAX_SYMBOLS * MAX_CONNECTIONS} total capacity`,
  poolDisconnecting: '[POOL] ========== DISCONNECTING POOL ==========',
  poolPeakConnections: (n: number) => `[POOL] Peak connections used: ${n}`,
  poolPeakSymbols: (n: number) => `[POOL] Peak symbols subscribed: ${n}`,
  poolDisconnected: '[POOL] ConnectionPool disconnected successfully',
  adapterError: (type: string, message: string) => `Angel WebSocket error: ${type} - ${message}`,
  reconnectingIn: (delaySeconds: number, attempt: number) => `Reconnecting in ${delaySeconds}s (attempt ${attempt})`,
  maxReconnect: 'Maximum reconnection attempts reached',
  notReconnecting: 'Not reconnecting - adapter stopped',
  threadJoinTimeout: 'Connection thread did not terminate within timeout',
  cleanedUp: 'Angel WebSocket disconnected and resources cleaned up',
  stall: (elapsedSeconds: number, timeoutSeconds: number) =>
    `Angel data stall detected - no data for ${elapsedSeconds.toFixed(1)}s (timeout: ${timeoutSeconds}s). Forcing reconnect...`,
  forcing: 'Forcing Angel WebSocket reconnection...',
} as const;

export function poolKey(user: string): string {
  return `angel_${user}`;
}
