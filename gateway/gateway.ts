import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventEmitter } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DestinationStream } from 'pino';
import { createAdminServer, summariseHealth, type GatewayHealth } from './admin-http.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './upstream/backoff.ts';
import { DefaultUpstreamSocket, type UpstreamSocketConstructor } from './upstream/upstream-socket.ts';
import { AdapterRouter } from './client/adapter-router.ts';
import { ClientSession, DEFAULT_CLIENT_LIMITS, type ClientLimits, type SessionContext } from './client/session.ts';
import { DEFAULT_SOURCE_LIMITS, SOURCE_REFUSALS, SourceGuard, TrustedProxies, type SourceLimits } from './client/source-guard.ts';
import { DEFAULT_UPGRADE_LIMITS, createUpgradeServer, type UpgradeLimits } from './client/upgrade-server.ts';
import { WriteBatch } from './client/write-batch.ts';
import { systemClock, type Clock, type RandomSource } from './clock.ts';
import { BUNDLED_INSTRUMENTS_PATH, InstrumentMaster, loadInstrumentsFile, type Instrument } from './instruments.ts';
import type { LogLevel } from '../contract/log-levels.ts';
import { createGatewayLogger, LogEvent } from './logger.ts';
import { GatewayMetrics } from './metrics.ts';
import { GatewayCloseCode } from '../protocol/openalgo/index.ts';
import { openAlgoTextDestination, type LogFormat } from './legacy/openalgo-text-format.ts';
import { DEFAULT_LEGACY_OPTIONS, LegacyRegistry, type LegacyOptions } from './registry/legacy-registry.ts';
import { DEFAULT_HEARTBEAT, type HeartbeatPolicy } from './upstream/adapter-contract.ts';
import { resolveRegistry, type Registry, type RegistryChoice, type RegistryDeps } from './registry/registry.ts';
import { SingletonRegistry } from './registry/singleton-registry.ts';
import { ClientTally, CountedRegistry } from './registry/counted-registry.ts';
import { ClusterRegistry, type ClusterOptions } from './cluster/cluster-registry.ts';
import { MAX_TOKENS_PER_CONNECTION } from '../protocol/smartapi/index.ts';
import { DEMO_USER, UserDirectory, type UserRecord } from './users.ts';

/** One typed config object; the CLI fills it from yargs, tests and the scenario runners build it directly. */
export interface GatewayOptions {
  host?: string; // 127.0.0.1
  port?: number; // 8765; 0 picks a free port
  brokerUrl?: string; // ws://127.0.0.1:9443/smart-stream
  registry?: RegistryChoice; // singleton
  users?: UserRecord[]; // one embedded demo user
  instruments?: Instrument[]; // gateway/data/instruments.json
  adminPort?: number; // 8766; 0 picks a free port
  /** Interface of the admin server, separate from `host` so exposing clients never exposes admin. */
  adminHost?: string; // 127.0.0.1
  /** When set, admin requests need `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /** pino level of the gateway's log; default info. */
  logLevel?: LogLevel;
  maxReconnect?: number; // 5
  lingerMs?: number; // 300000 (5 min); 0 = keep until logout
  /** Where pino writes its JSON lines; tests and `reproduce` capture the log through this. */
  logDestination?: DestinationStream;
  /** Human-readable logs on stdout (pino-pretty) instead of JSON lines. */
  pretty?: boolean;
  /** Upstream WebSocket constructor; default `ws`. Unit tests pass fakes. */
  WebSocket?: UpstreamSocketConstructor;
  /** Timers and time; default real time. */
  clock?: Clock;
  /** Jitter source; default Math.random. */
  random?: RandomSource;
  /** Reconnect backoff (default 1 s base, 30 s cap, 5 s base after a 429). */
  backoff?: Partial<BackoffPolicy>;
  /** Upstream heartbeat (default ping every 10 s, dead after 25 s of silence). */
  heartbeat?: Partial<HeartbeatPolicy>;
  /** Per-client caps against hostile clients. */
  clientLimits?: Partial<ClientLimits>;
  /** Largest client frame accepted, in bytes (default 64 KiB); larger frames close the client with 1009. */
  maxPayloadBytes?: number;
  /** Deadline and cap for connections that have not upgraded to WebSocket yet (default 10 s, 1024). */
  upgradeLimits?: Partial<UpgradeLimits>;
  /** `openalgo`: every line in OpenAlgo's text format (the SDK's in logzero's), for `verify` as on OpenAlgo's logs. */
  logFormat?: LogFormat;
  /** The legacy registries' `--time-scale` and safety cap. */
  legacy?: Partial<LegacyOptions>;
  /** `--cluster`: share one upstream per user across gateways through Redis (singleton registry only). */
  cluster?: ClusterOptions;
  /**
   * Tokens one upstream connection may hold; default AngelOne's MAX_TOKENS_PER_CONNECTION. Tests and
   * benchmarks lower it to reach the cap with the bundled instruments; no CLI flag sets it.
   */
  maxTokens?: number;
  /**
   * Builds the registry in place of `registry`: the tests' bank of mutant registries (one known mechanism
   * of the bug each) runs behind the real client endpoint this way. No CLI flag sets it.
   */
  createRegistry?: (deps: RegistryDeps) => Registry;
  /**
   * `--max-upstream`: upstream connections one user's pool may hold at once (default 2, leaving one of
   * AngelOne's 3 for another application or a restart's overlap).
   */
  maxUpstream?: number;
  /** Send each new subscriber the latest tick at once, marked `"snapshot": true` (default on; `--no-snapshot`). */
  snapshot?: boolean;
  /** Caps per client address (docs/gateway.md#per-source-limits). */
  sourceLimits?: Partial<SourceLimits>;
  /** `--trust-proxy`: CIDRs of reverse proxies whose X-Forwarded-For names the client. */
  trustProxy?: string[];
}

/** The in-process handle that the CLI, tests and the scenario runners hold. */
export interface Gateway {
  /** ws://host:port — the OpenAlgo client endpoint */
  url: string;
  /** http://host:adminPort — /health, /metrics, POST /users/:id/logout */
  adminUrl: string;
  health(): GatewayHealth;
  logout(userId: string): Promise<void>;
  close(): Promise<void>;
}

/** Defaults of GatewayOptions (docs/gateway.md#options). */
export const GATEWAY_DEFAULTS = {
  host: '127.0.0.1',
  port: 8765,
  brokerUrl: 'ws://127.0.0.1:9443/smart-stream',
  registry: 'singleton',
  adminPort: 8766,
  adminHost: '127.0.0.1',
  logLevel: 'info',
  maxReconnect: 5,
  lingerMs: 300_000,
  maxUpstream: 2,
  snapshot: true,
  maxPayloadBytes: 64 * 1024,
} as const;

const SHUTDOWN_GRACE_MS = 1_000;

/**
 * Listen backlog of the client endpoint. Node's default (511) overflows when a whole app reconnects at
 * once (1000 clients of one user in the auth-storm benchmark): the kernel drops the extra SYNs and those
 * clients only retry after 1 s, 3 s, 7 s. The kernel caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096;

/**
 * Starts the reference gateway: the OpenAlgo client endpoint, the registry (singleton or legacy), and the
 * admin HTTP server. Resolves once both servers listen.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? GATEWAY_DEFAULTS.host;
  const mode = resolveRegistry(options.registry ?? GATEWAY_DEFAULTS.registry);
  const logLevel = options.logLevel ?? GATEWAY_DEFAULTS.logLevel;
  const logger =
    options.logFormat === 'openalgo'
      ? createGatewayLogger({ destination: openAlgoTextDestination(options.logDestination ?? process.stdout), level: logLevel })
      : createGatewayLogger({ destination: options.logDestination, pretty: options.pretty, level: logLevel });
  const metrics = new GatewayMetrics();
  metrics.describeProcess(mode);
  for (const reason of SOURCE_REFUSALS) metrics.clientsClosed.inc({ reason }, 0);
  const clock = options.clock ?? systemClock;
  const users = new UserDirectory(options.users ?? [DEMO_USER]);
  const instruments = new InstrumentMaster(options.instruments ?? loadInstrumentsFile(BUNDLED_INSTRUMENTS_PATH));
  const sessions = new Set<ClientSession>();
  const router = new AdapterRouter(
    {
      delivered: (n) => metrics.messagesDelivered.inc(n),
      dropped: (n) => metrics.messagesDropped.inc(n),
    },
    options.snapshot ?? GATEWAY_DEFAULTS.snapshot,
  );

  const tally = new ClientTally();
  const deps: RegistryDeps = {
    brokerUrl: options.brokerUrl ?? GATEWAY_DEFAULTS.brokerUrl,
    WebSocket: options.WebSocket ?? DefaultUpstreamSocket,
    clock,
    random: options.random ?? Math.random,
    logger,
    metrics,
    maxReconnect: options.maxReconnect ?? GATEWAY_DEFAULTS.maxReconnect,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    heartbeat: { ...DEFAULT_HEARTBEAT, ...options.heartbeat },
    maxTokens: options.maxTokens ?? MAX_TOKENS_PER_CONNECTION,
    listener: router,
    lingerMs: options.lingerMs ?? GATEWAY_DEFAULTS.lingerMs,
    maxUpstream: options.maxUpstream ?? GATEWAY_DEFAULTS.maxUpstream,
    ...(!options.cluster && { clientsOf: (user) => tally.of(user) }),
  };
  const legacy = { ...DEFAULT_LEGACY_OPTIONS, ...options.legacy };
  const cluster = options.cluster
    ? await ClusterRegistry.connect(deps, options.cluster, {
        status: (adapter, update) => router.onStatus(adapter, update),
      })
    : undefined;
  const registry: Registry =
    cluster ??
    new CountedRegistry(
      options.createRegistry?.(deps) ??
        (mode === 'singleton' ? new SingletonRegistry(deps) : new LegacyRegistry(mode === 'legacy-2025' ? '2025' : '2026', deps, legacy)),
      tally,
    );

  const clientLimits: ClientLimits = { ...DEFAULT_CLIENT_LIMITS, maxSubscriptions: deps.maxUpstream * deps.maxTokens, ...options.clientLimits };
  const sources = new SourceGuard({ ...DEFAULT_SOURCE_LIMITS, ...options.sourceLimits }, clock, clientLimits.authFailureDelayMs);
  const context: SessionContext = {
    users,
    instruments,
    registry,
    metrics,
    logger,
    clock,
    // One client may use the user's whole budget: an option-chain screen of 1,500 symbols is one client.
    limits: clientLimits,
    fanOutFor: (adapter) => router.fanOutFor(adapter),
    brokerStatusFor: (adapter) => router.brokerStatusFor(adapter),
    writeBatch: new WriteBatch(),
    attached: (session) => router.attached(session),
    detached: (session) => router.detached(session),
    sources,
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? GATEWAY_DEFAULTS.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  let nextClientId = 1;
  const onConnection = (ws: WebSocket, req: IncomingMessage, address: string): void => {
    const session = new ClientSession(nextClientId++, ws, req.socket, context, address);
    sessions.add(session);
    logger.info({ event: LogEvent.clientConnect, client: session.id, remote: address }, 'Client connected');
    ws.on('message', (data: Buffer, isBinary: boolean) => session.receive(data, isBinary));
    // ws reports protocol violations (oversized frames, bad UTF-8) here and then closes the socket itself.
    ws.on('error', (err: Error) => logger.debug({ event: LogEvent.clientSocketError, client: session.id, reason: err.message }, 'Client socket error'));
    ws.on('close', (code: number) => {
      sessions.delete(session);
      session.disconnected(code);
    });
  };
  const clientServer = createUpgradeServer({
    wss,
    limits: { ...DEFAULT_UPGRADE_LIMITS, ...options.upgradeLimits },
    clock,
    sources,
    proxies: new TrustedProxies(options.trustProxy ?? []),
    onConnection,
    onRefused: (reason) => metrics.clientsClosed.inc({ reason }),
  });
  clientServer.listen({ host, port: options.port ?? GATEWAY_DEFAULTS.port, backlog: LISTEN_BACKLOG });
  await whenListening(clientServer);
  clientServer.on('error', (err: Error) => logger.error({ event: LogEvent.gatewayError, err }, `Client server error: ${err.message}`));

  const health = (): GatewayHealth => summariseHealth(sessions.size, registry.health(), cluster?.clusterHealth());

  const logoutUser = async (userId: string): Promise<boolean> => {
    const matching = users.users.filter((u) => u.userId === userId);
    if (matching.length === 0) return false;
    logger.info({ event: LogEvent.adminLogout, user: userId }, `Logging out user ${userId}`);
    for (const session of sessions) {
      if (session.user?.userId === userId) session.end(GatewayCloseCode.loggedOut, 'Logged out');
    }
    for (const user of matching) await registry.remove(user.userId, user.broker);
    return true;
  };

  const adminHost = options.adminHost ?? GATEWAY_DEFAULTS.adminHost;
  const admin = createAdminServer({ health, metrics, logout: logoutUser }, { host: adminHost, token: options.adminToken });
  admin.listen(options.adminPort ?? GATEWAY_DEFAULTS.adminPort, adminHost);
  try {
    await whenListening(admin);
    admin.on('error', (err: Error) => logger.error({ event: LogEvent.gatewayError, err }, `Admin server error: ${err.message}`));
  } catch (err) {
    await closeServer(clientServer);
    await registry.close();
    throw err;
  }

  const url = `ws://${host}:${(clientServer.address() as AddressInfo).port}`;
  const adminUrl = `http://${adminHost.includes(':') ? `[${adminHost}]` : adminHost}:${(admin.address() as AddressInfo).port}`;
  logger.info({ event: LogEvent.gatewayStart, url, adminUrl, registry: mode }, `Gateway listening on ${url} (registry ${mode}), admin on ${adminUrl}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const serverClosed = closeServer(clientServer);
      clientServer.closeAllConnections();
      for (const session of sessions) session.end(GatewayCloseCode.goingAway, 'Gateway shutting down');
      await waitUntil(() => sessions.size === 0, SHUTDOWN_GRACE_MS);
      for (const session of sessions) session.kill();
      await registry.close();
      await serverClosed;
      admin.closeAllConnections();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
      logger.info({ event: LogEvent.gatewayStop }, 'Gateway stopped');
      logger.flush();
    })());

  return {
    url,
    adminUrl,
    health,
    logout: async (userId) => {
      await logoutUser(userId);
    },
    close,
  };
}

/**
 * Resolves on 'listening', rejects on an 'error' before it, and leaves no listener behind: a later
 * error must reach the logger, not reject a promise nobody awaits any more.
 */
function whenListening(server: EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
