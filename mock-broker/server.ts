import { createServer as createHttpServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AUTH_ERROR_MESSAGES,
  CONNECTION_LIMIT_MESSAGE,
  HEARTBEAT,
  MAX_TOKENS_PER_CONNECTION,
  SMART_STREAM_PATH,
} from '../protocol/smartapi/constants.ts';
import { AccountsInUse } from './accounts-in-use.ts';
import { ADMIN_PREFIX, serveAdmin } from './admin-api.ts';
import type { BrokerConnection } from './broker-connection.ts';
import { answerClientFrame } from './client-frames.ts';
import { BrokerRecord } from './broker-record.ts';
import { ConnectionSlots, type EndpointSlots } from './connection-slots.ts';
import { connectionLimitResponse } from './connection-limit-response.ts';
import { checkCredentials, checkOrderUpdateCredentials, readCredentials } from './credentials.ts';
import { ENDPOINT_PATHS, endpointOfPath, orderUpdateGreeting } from './endpoints.ts';
import { injectFault } from './fault-injection.ts';
import { FaultState } from './faults.ts';
import { refuseHandshake, sendRefusal } from './handshake-refusal.ts';
import { OpenConnections } from './open-connections.ts';
import { requestTarget } from './request-target.ts';
import { mulberry32 } from '../contract/seeded-random.ts';
import { SubscriptionBook } from './subscription-book.ts';
import { startTickPump } from './tick-pump.ts';
import { TickGenerator } from './tick-generator.ts';
import type { Endpoint, MockBroker, MockBrokerOptions, MockBrokerStats } from './types.ts';

/** The defaults SPEC §3 gives `stormcheck mock-broker`. */
export const MOCK_BROKER_DEFAULTS = {
  host: '127.0.0.1',
  port: 9443,
  limit: 2,
  orderLimit: 3,
  onLimit: 'reject',
  slotHoldMs: 0,
  maxTokens: MAX_TOKENS_PER_CONNECTION,
  tickMs: 100,
  seed: 1,
  maxPayload: 64 * 1024,
  strictApiKey: false,
} as const;

/**
 * Why a connection ended, in the words the event timeline and the logs use. When ws itself closed the
 * socket over a protocol error, its close code is 1006 locally, so the error says what happened.
 */
function describeClose(code: number, error: (Error & { code?: string }) | undefined): string {
  if (error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'message too big (1009)';
  if (error) return `protocol error (${error.code ?? error.message})`;
  if (code === 1006) return 'connection lost (1006)';
  return `client closed (${code})`;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the mock AngelOne SmartAPI WebSocket 2.0 broker: `/smart-stream` for market data
 * (credentials, per-client-code connection limit, heartbeat, subscriptions, binary ticks),
 * `/smart-order-update` with its own limit, and `/__admin/` on the same port; over TLS when given a
 * certificate. Resolves once it listens; `close()` ends every connection and frees the port.
 */
export async function startMockBroker(options: MockBrokerOptions = {}): Promise<MockBroker> {
  // An option passed as undefined means "use the default", not "unset it".
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const config = { ...MOCK_BROKER_DEFAULTS, ...(given as MockBrokerOptions) };
  const clock = options.clock ?? Date.now;
  const log: Logger = pino(
    { name: 'mock-broker', level: options.logLevel ?? 'info' },
    options.logDestination ?? pino.destination({ dest: 1, sync: false }),
  );
  const limits: Record<Endpoint, number> = { 'smart-stream': config.limit, 'smart-order-update': config.orderLimit };
  const record = new BrokerRecord(limits, clock);
  const slots: EndpointSlots<BrokerConnection> = {
    'smart-stream': new ConnectionSlots(config.limit, config.slotHoldMs),
    'smart-order-update': new ConnectionSlots(config.orderLimit, config.slotHoldMs),
  };
  const book = new SubscriptionBook<BrokerConnection>(config.maxTokens);
  const faults = new FaultState();
  const connections = new OpenConnections({ slots, book, record, log, limits });
  const accounts = new AccountsInUse({
    accounts: options.accounts,
    accountsFile: options.accountsFile,
    strictApiKey: config.strictApiKey,
    isExpired: (jwt) => faults.isExpired(jwt),
  });
  // Pongs to control-frame pings (how the Python SDK's websocket-client heartbeats) are answered by
  // hand, so a stall fault can withhold them like it withholds text pongs.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayload, autoPong: false });
  const frames = { book, stalled: () => faults.stalled };

  function reject(socket: Duplex, endpoint: Endpoint, clientCode: string, status: 401 | 429, message: string, reason: string): void {
    const count = slots[endpoint].openCount(clientCode);
    const event = record.handshakeRejected(endpoint, clientCode, status, reason, count);
    log.warn(
      { event: 'connection.rejected', endpoint, clientCode, status, reason, count, limit: limits[endpoint] },
      `Rejected ${endpoint} handshake for ${clientCode || '(no client code)'} with ${status} ${message}`,
    );
    if (status === 429) sendRefusal(socket, connectionLimitResponse(ENDPOINT_PATHS[endpoint], new Date(event.time)));
    else refuseHandshake(socket, status, message);
  }

  function admit(connection: BrokerConnection, ws: WebSocket): void {
    connections.accepted(connection, ws);
    const { endpoint, clientCode } = connection;
    // Protocol errors (e.g. an oversized frame) are always followed by 'close', which does the accounting.
    let protocolError: Error | undefined;
    ws.on('error', (err) => (protocolError = err));
    ws.on('close', (code) => connections.end(connection, describeClose(code, protocolError), true));
    ws.on('ping', (payload) => {
      if (!faults.stalled) connection.pong(payload);
    });
    if (endpoint === 'smart-stream') {
      ws.on('message', (data, isBinary) => answerClientFrame(frames, connection, data as Buffer, isBinary));
    } else {
      ws.on('message', (data, isBinary) => {
        if (!isBinary && !faults.stalled && data.toString() === HEARTBEAT.ping) connection.send(HEARTBEAT.pong);
      });
    }
    if (endpoint === 'smart-order-update') connection.send(orderUpdateGreeting(clientCode));
  }

  /** Makes room past the limit the way `--on-limit` says; false when the handshake must be refused. */
  function makeRoom(endpoint: Endpoint, clientCode: string): boolean {
    if (config.onLimit === 'reject') return false;
    const evicted = slots[endpoint].evictOldest(clientCode);
    if (!evicted) return true;
    if (config.onLimit === 'evict-oldest') {
      connections.end(evicted, 'evicted by a newer connection', false);
      evicted.cut({ mode: 'abort' });
    } else {
      connections.end(evicted, 'reset by a newer connection (close-existing)', false);
      evicted.cut({ mode: 'reset' });
    }
    return true;
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A peer that resets mid-handshake must not crash the process; 'close' does the accounting.
    socket.on('error', () => undefined);
    const { pathname, query } = requestTarget(req);
    const endpoint = endpointOfPath(pathname);
    if (endpoint === undefined) {
      refuseHandshake(socket, 404);
      return;
    }
    const presented = readCredentials(req, query);
    const forced = faults.takeRejection();
    if (forced !== undefined) {
      const message = forced === 429 ? CONNECTION_LIMIT_MESSAGE : AUTH_ERROR_MESSAGES.header;
      reject(socket, endpoint, presented.clientCode ?? '', forced, message, 'reject-next fault');
      return;
    }
    const check = endpoint === 'smart-stream' ? checkCredentials(presented, accounts) : checkOrderUpdateCredentials(presented, accounts);
    if (!check.ok) {
      reject(socket, endpoint, check.clientCode, 401, check.message, check.message);
      return;
    }
    const { clientCode } = check;
    if (slots[endpoint].isFull(clientCode) && !makeRoom(endpoint, clientCode)) {
      reject(socket, endpoint, clientCode, 429, CONNECTION_LIMIT_MESSAGE, 'connection limit');
      return;
    }
    if (socket.destroyed) return;
    if (presented.authToken !== undefined) accounts.jwtPresented(clientCode, presented.authToken);
    const connection = connections.open(endpoint, clientCode, socket);
    // Until the upgrade completes, only the raw socket can tell us the peer went away.
    socket.once('close', () => {
      if (!connection.ws) connections.end(connection, 'closed during handshake', false);
    });
    wss.handleUpgrade(req, socket, head, (ws) => admit(connection, ws));
  }

  const handle: Omit<MockBroker, 'url' | 'orderUpdateUrl' | 'adminUrl' | 'port' | 'close'> = {
    stats(): MockBrokerStats {
      const stats = record.stats();
      stats.subscriptions = connections.subscriptionCounts(Object.keys(stats.current));
      return stats;
    },
    events: () => record.events(),
    connectionSubscriptions: () => connections.subscriptions(),
    inject: (fault) => injectFault(fault, { connections, faults, accounts, log }),
    reset() {
      faults.clear();
      record.reset(connections.openCounts());
      log.info({ event: 'broker.reset' }, 'Reset stats, events and faults; open connections kept');
    },
    async reloadAccounts() {
      await accounts.reload();
      faults.clearExpiredTokens();
      log.info({ event: 'accounts.reloaded', accounts: accounts.count }, 'Reloaded accounts; expired tokens forgotten');
      return { accounts: accounts.count };
    },
  };

  const serveHttp: RequestListener = (req, res) => {
    const { pathname } = requestTarget(req);
    if (pathname.startsWith(ADMIN_PREFIX)) {
      serveAdmin(handle, req, res, pathname);
      return;
    }
    const status = endpointOfPath(pathname) === undefined ? 404 : 426;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify({ error: status === 426 ? 'connect with a WebSocket client' : `no such path ${pathname}` })}\n`);
  };
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, serveHttp) : createHttpServer(serveHttp);
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  // A client speaking plain ws:// (or anything but TLS) to the TLS port fails its handshake here; it is
  // the client's mistake, so the socket is dropped and the broker keeps serving.
  server.on('tlsClientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const stopTicks = startTickPump({
    intervalMs: config.tickMs,
    clock,
    book,
    generator: new TickGenerator(config.seed, options.createRandom ?? mulberry32),
    paused: () => faults.stalled,
    delivered: (n) => record.ticksDelivered(n),
  });

  const { port } = server.address() as AddressInfo;
  const host = hostForUrl(config.host);
  const [wsScheme, httpScheme] = options.tls ? ['wss', 'https'] : ['ws', 'http'];
  const url = `${wsScheme}://${host}:${port}${SMART_STREAM_PATH}`;
  const orderUpdateUrl = `${wsScheme}://${host}:${port}${ENDPOINT_PATHS['smart-order-update']}`;
  const adminUrl = `${httpScheme}://${host}:${port}`;
  log.info(
    { event: 'broker.listening', url, orderUpdateUrl, adminUrl, limit: config.limit, orderLimit: config.orderLimit, onLimit: config.onLimit },
    `Mock AngelOne broker listening on ${url}`,
  );

  let closing: Promise<void> | undefined;
  return {
    ...handle,
    url,
    orderUpdateUrl,
    adminUrl,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopTicks();
        faults.clear();
        connections.closeAll();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => new Promise<void>((resolve) => log.flush(() => resolve())));
      return closing;
    },
  };
}
