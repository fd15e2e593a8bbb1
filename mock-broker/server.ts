import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { adminRequestGuard } from '../contract/admin-request-guard.ts';
import { MAX_TOKENS_PER_CONNECTION } from '../protocol/smartapi/index.ts';
import { mulberry32 } from '../contract/seeded-random.ts';
import { AccountsInUse } from './accounts-in-use.ts';
import { serveHttpRequests } from './admin-api.ts';
import { Admission } from './admission.ts';
import type { BrokerConnection } from './broker-connection.ts';
import { BrokerRecord } from './broker-record.ts';
import { ConnectionSlots, type EndpointSlots } from './connection-slots.ts';
import { brokerUrls } from './endpoints.ts';
import { ActiveFaults } from './active-faults.ts';
import { FaultSchedule } from './fault-schedule.ts';
import { cutForOutage, injectFault, type FaultInjectionParts } from './fault-injection.ts';
import { OpenConnections } from './open-connections.ts';
import { SubscriptionBook } from './subscription-book.ts';
import { startTickPump } from './tick-pump.ts';
import { TickGenerator } from './tick-generator.ts';
import type { Endpoint, MockBroker, MockBrokerOptions, MockBrokerStats } from './types.ts';

/** The defaults of `stormcheck mock-broker` (docs/mock-broker.md#options). */
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

type BrokerOperations = Omit<MockBroker, 'url' | 'orderUpdateUrl' | 'adminUrl' | 'port' | 'close'>;

/** The handle's operations, which the admin API serves too. */
function brokerOperations(parts: FaultInjectionParts & { record: BrokerRecord; schedule: FaultSchedule }): BrokerOperations {
  const { log, record, faults, connections, accounts, schedule } = parts;
  return {
    stats(): MockBrokerStats {
      const stats = record.stats();
      stats.subscriptions = connections.subscriptionCounts(Object.keys(stats.current));
      return stats;
    },
    events: () => record.events(),
    faultEvents: () => record.faultEvents(),
    connectionSubscriptions: () => connections.subscriptions(),
    inject: (fault) => injectFault(fault, parts),
    activeFaults: () => faults.list(),
    removeFault: (id) => faults.remove(id),
    removeAllFaults: () => faults.removeAll(),
    loadPlan(plan) {
      faults.clear('plan loaded', plan.seed);
      schedule.load(plan);
      log.info({ event: 'fault.plan.loaded', faults: plan.faults.length, seed: plan.seed }, `Loaded a fault plan of ${plan.faults.length} fault(s)`);
      return { faults: plan.faults.length };
    },
    reset() {
      schedule.cancel();
      faults.clear('reset');
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
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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
    'smart-stream': new ConnectionSlots(config.limit),
    'smart-order-update': new ConnectionSlots(config.orderLimit),
  };
  const book = new SubscriptionBook<BrokerConnection>(config.maxTokens);
  const createRandom = options.createRandom ?? mulberry32;
  const faults: ActiveFaults = new ActiveFaults({
    seed: config.seed,
    createRandom,
    record,
    log,
    clock,
    changed: () => connections.reshape(),
    outageOpened: (hits) => cutForOutage(connections, hits),
  });
  const schedule = new FaultSchedule((fault) => injectFault(fault, { connections, faults, accounts, log }), log);
  const connections = new OpenConnections({
    slots,
    book,
    record,
    log,
    limits,
    faults,
    slotHoldMs: config.slotHoldMs,
    onAccepted: (c) => schedule.connectionAccepted(c.clientCode),
  });
  const accounts = new AccountsInUse({
    accounts: options.accounts,
    accountsFile: options.accountsFile,
    strictApiKey: config.strictApiKey,
    isExpired: (jwt) => faults.isExpired(jwt),
  });
  const admission = new Admission({
    onLimit: config.onLimit,
    maxPayload: config.maxPayload,
    limits,
    slots,
    connections,
    accounts,
    faults,
    frames: { book },
    record,
    log,
  });

  const operations = brokerOperations({ log, record, faults, connections, accounts, schedule });

  // curl's default form content type is accepted: the Origin check already keeps browsers out.
  const guard = adminRequestGuard({ host: config.host, token: options.adminToken, jsonBodiesOnly: false });
  const serveHttp = serveHttpRequests(operations, guard, log);
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, serveHttp) : createHttpServer(serveHttp);
  server.on('upgrade', admission.serverOnUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  // A client speaking plain ws:// (or anything but TLS) to the TLS port fails its handshake here; it is
  // the client's mistake, so the socket is dropped and the broker keeps serving.
  server.on('tlsClientError', (_err, socket) => socket.destroy());

  await listen(server, config.port, config.host);

  const stopTicks = startTickPump({
    intervalMs: config.tickMs,
    clock,
    book,
    generator: new TickGenerator(config.seed, createRandom),
    delivered: (n) => record.ticksDelivered(n),
  });

  const { port } = server.address() as AddressInfo;
  const { url, orderUpdateUrl, adminUrl } = brokerUrls(config.host, port, Boolean(options.tls));
  if (options.faultPlan) operations.loadPlan(options.faultPlan);
  log.info(
    { event: 'broker.listening', url, orderUpdateUrl, adminUrl, limit: config.limit, orderLimit: config.orderLimit, onLimit: config.onLimit },
    `Mock AngelOne broker listening on ${url}`,
  );

  let closing: Promise<void> | undefined;
  return {
    ...operations,
    url,
    orderUpdateUrl,
    adminUrl,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopTicks();
        schedule.cancel();
        faults.clear('broker closed');
        connections.closeAll();
        admission.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => new Promise<void>((resolve) => log.flush(() => resolve())));
      return closing;
    },
  };
}
