import type { Argv, CommandModule } from 'yargs';
import { ADMIN_TOKEN_ENV } from '../contract/admin-request-guard.ts';
import { UsageError } from '../contract/usage-error.ts';
import { INTERRUPTED_EXIT, untilStopSignal } from '../contract/interrupt.ts';
import { GATEWAY_DEFAULTS, startGateway, type GatewayOptions } from './gateway.ts';
import { CLUSTER_DEFAULTS, NO_SECRET_WARNING } from './cluster/cluster-registry.ts';
import { ClusterUnavailableError, redactRedisUrl } from './cluster/redis-connection.ts';
import { InstrumentsFileError, loadInstrumentsFile } from './instruments.ts';
import { isListenFailure, listenFailureMessage } from '../contract/listen-failure.ts';
import { LOG_LEVELS, logLevelOption, type LogLevel } from '../contract/log-levels.ts';
import { durationOption, portOption, wholeNumberOption } from '../contract/option-checks.ts';
import { DEFAULT_SOURCE_LIMITS, TrustedProxies } from './client/source-guard.ts';
import { timeScaleDeclaration, timeScaleOption } from '../contract/time-scale-option.ts';
import { LOG_FORMATS, type LogFormat } from './legacy/openalgo-text-format.ts';
import { REGISTRY_MODES, type RegistryChoice } from './registry/registry.ts';
import { DEMO_USER, UsersFileError, loadUsersFile } from './users.ts';

/** Read when --cluster-secret is absent, so the secret stays out of `ps` output. */
const CLUSTER_SECRET_ENV = 'STORMCHECK_CLUSTER_SECRET';
/** Redis password, put into the --cluster URL so it stays out of `ps` and shell history. */
const REDIS_PASSWORD_ENV = 'STORMCHECK_REDIS_PASSWORD';

interface GatewayArgs {
  host: string;
  port: number;
  'broker-url': string;
  registry: RegistryChoice;
  'time-scale': number;
  users?: string;
  instruments?: string;
  'admin-port': number;
  'admin-host': string;
  'admin-token'?: string;
  'log-level': LogLevel;
  'max-reconnect': number;
  'linger-ms': number;
  'max-upstream': number;
  snapshot: boolean;
  pretty?: boolean;
  'log-format': LogFormat;
  cluster?: string;
  'lease-ttl-ms': number;
  'gateway-id'?: string;
  'cluster-secret'?: string;
  'cluster-prefix': string;
  'trust-proxy'?: string[];
  'max-pending-per-source': number;
  'max-connections-per-source': number;
  'max-unauthenticated-per-source': number;
  'auth-failures-per-source': number;
  'auth-block': string;
}

const REGISTRY_CHOICES: readonly RegistryChoice[] = [...REGISTRY_MODES, 'legacy'];

function builder(yargs: Argv): Argv<GatewayArgs> {
  return yargs
    .option('host', { type: 'string', default: GATEWAY_DEFAULTS.host, describe: 'Interface the OpenAlgo client endpoint binds' })
    .option('port', { type: 'number', default: GATEWAY_DEFAULTS.port, describe: 'OpenAlgo client WebSocket port (0 = any free port)' })
    .option('broker-url', { type: 'string', default: GATEWAY_DEFAULTS.brokerUrl, describe: 'AngelOne SmartAPI WebSocket 2.0 URL' })
    .option('registry', {
      choices: REGISTRY_CHOICES,
      default: GATEWAY_DEFAULTS.registry,
      describe: 'singleton: one adapter per (user, broker); legacy-2025 (alias legacy) / legacy-2026: OpenAlgo 2025-11 / 2026-08 proxy behaviour',
    })
    .option('users', { type: 'string', describe: 'JSON array of users {apiKey,userId,broker,clientCode,brokerApiKey,feedToken,authToken}; absent: demo user' })
    .option('instruments', { type: 'string', describe: 'AngelOne scrip-master JSON [{token,symbol,name,exch_seg}]; absent: bundled NIFTY 50 + indices' })
    .option('admin-port', { type: 'number', default: GATEWAY_DEFAULTS.adminPort, describe: 'Admin HTTP port: /health, /metrics, POST /users/:id/logout' })
    .option('admin-host', {
      type: 'string',
      default: GATEWAY_DEFAULTS.adminHost,
      describe: 'Interface the admin server binds (separate from --host; keep it on loopback)',
    })
    .option('admin-token', {
      type: 'string',
      describe: `Require "Authorization: Bearer TOKEN" on admin requests (default: $${ADMIN_TOKEN_ENV} if set)`,
    })
    .option('log-level', { choices: LOG_LEVELS, default: GATEWAY_DEFAULTS.logLevel, describe: 'Least severe level logged' })
    .option('max-reconnect', { type: 'number', default: GATEWAY_DEFAULTS.maxReconnect, describe: 'Upstream connection attempts per cycle before giving up' })
    .option('linger-ms', {
      type: 'number',
      default: GATEWAY_DEFAULTS.lingerMs,
      describe: 'Keep an adapter this long after its last client left, then release its broker slot (0 = keep until logout)',
    })
    .option('max-upstream', {
      type: 'number',
      default: GATEWAY_DEFAULTS.maxUpstream,
      describe: 'Upstream connections per user (1000 tokens each) the pool may hold; the default 2 leaves one of AngelOne\'s 3 spare',
    })
    .option('snapshot', {
      type: 'boolean',
      default: GATEWAY_DEFAULTS.snapshot,
      describe: 'Send a new subscriber the latest tick at once, marked "snapshot": true (--no-snapshot: wait for the next tick)',
    })
    .option('pretty', {
      type: 'boolean',
      defaultDescription: 'on a terminal',
      describe: 'Human-readable logs instead of JSON lines; --no-pretty for JSON on a terminal (colours off with NO_COLOR)',
    })
    .option('log-format', {
      choices: LOG_FORMATS,
      default: 'json',
      describe: "json: pino JSON lines; openalgo: OpenAlgo's text format ([time] LEVEL in module: msg, the SDK's lines in logzero's)",
    })
    .option('time-scale', timeScaleDeclaration(1))
    .option('cluster', { type: 'string', describe: 'redis://host:port/db — one upstream per user across every gateway on this Redis (off by default)' })
    .option('lease-ttl-ms', { type: 'number', default: CLUSTER_DEFAULTS.ttlMs, describe: 'With --cluster: lease TTL; renewed every TTL/3, upstream dropped after TTL/2 without renewal' })
    .option('gateway-id', { type: 'string', describe: 'With --cluster: this gateway\'s id in Redis (default gw-<pid>-<random>)' })
    .option('cluster-secret', {
      type: 'string',
      describe: `With --cluster: HMAC key of every message gateways relay through Redis (default: $${CLUSTER_SECRET_ENV}); without one Redis is trusted`,
    })
    .option('cluster-prefix', { type: 'string', default: CLUSTER_DEFAULTS.prefix, describe: 'With --cluster: first part of every Redis key and channel name' })
    .option('trust-proxy', {
      type: 'string',
      array: true,
      describe: 'CIDR of a reverse proxy whose X-Forwarded-For names the client (repeat or comma-separate; default: none)',
    })
    .option('max-pending-per-source', {
      type: 'number',
      default: DEFAULT_SOURCE_LIMITS.maxPendingUpgrades,
      describe: 'Connections of one client address still waiting for their upgrade request',
    })
    .option('max-connections-per-source', { type: 'number', default: DEFAULT_SOURCE_LIMITS.maxConnections, describe: 'Open WebSocket connections of one client address' })
    .option('max-unauthenticated-per-source', {
      type: 'number',
      default: DEFAULT_SOURCE_LIMITS.maxUnauthenticated,
      describe: 'Open connections of one client address without a valid API key yet',
    })
    .option('auth-failures-per-source', {
      type: 'number',
      default: DEFAULT_SOURCE_LIMITS.authFailuresBeforeBlock,
      describe: 'Wrong API keys from one address (across reconnects) before it is refused for --auth-block',
    })
    .option('auth-block', { type: 'string', default: `${DEFAULT_SOURCE_LIMITS.authBlockMs / 1000}s`, describe: 'How long an address with too many wrong API keys is refused' })
    .example(
      '$0 gateway --broker-url ws://127.0.0.1:9443/smart-stream --users users.json',
      'Serve OpenAlgo clients on ws://127.0.0.1:8765 with one upstream AngelOne connection per user',
    )
    .example('$0 gateway --registry legacy-2025 --port 8775 --admin-port 8776', 'Behave like OpenAlgo 2025-11 for comparison')
    .example('$0 gateway --registry legacy-2026 --time-scale 0.1', 'OpenAlgo 2026-08, its 10 s retries and 90 s watchdog ten times faster')
    .example('$0 gateway --registry legacy-2025 --log-format openalgo > openalgo.log', 'Log as OpenAlgo 2025-11 did, for stormcheck verify')
    .example('$0 gateway --cluster redis://127.0.0.1:6379/0 --port 8765 --admin-port 8766', 'One of several gateways sharing one upstream per user through Redis')
    .example('$0 gateway --host 0.0.0.0 --admin-token s3cret --log-level warn', 'Serve clients on every interface; admin stays on 127.0.0.1 and needs the token')
    .example('$0 gateway --linger-ms 0 --admin-host 127.0.0.1', 'Keep each adapter until logout')
    .epilogue('Exit codes: 130/143 stopped by SIGINT/SIGTERM, 2 bad option, unreadable --users/--instruments file, or cannot listen.') as Argv<GatewayArgs>;
}

/** Turns validated CLI arguments into GatewayOptions; file problems become UsageErrors naming the file. */
export function optionsFromArgs(args: GatewayArgs): GatewayOptions {
  const options: GatewayOptions = {
    host: args.host,
    port: portOption('port', args.port),
    adminPort: portOption('admin-port', args['admin-port']),
    adminHost: args['admin-host'],
    brokerUrl: checkBrokerUrl(args['broker-url']),
    logLevel: logLevelOption(args['log-level']),
    registry: checkRegistry(args.registry),
    legacy: { timeScale: timeScaleOption(args['time-scale']) },
    maxReconnect: wholeNumberOption('max-reconnect', args['max-reconnect'], 1),
    lingerMs: wholeNumberOption('linger-ms', args['linger-ms'], 0),
    maxUpstream: wholeNumberOption('max-upstream', args['max-upstream'], 1),
    snapshot: args.snapshot,
    sourceLimits: {
      maxPendingUpgrades: wholeNumberOption('max-pending-per-source', args['max-pending-per-source'], 1),
      maxConnections: wholeNumberOption('max-connections-per-source', args['max-connections-per-source'], 1),
      maxUnauthenticated: wholeNumberOption('max-unauthenticated-per-source', args['max-unauthenticated-per-source'], 1),
      authFailuresBeforeBlock: wholeNumberOption('auth-failures-per-source', args['auth-failures-per-source'], 1),
      authBlockMs: durationOption('auth-block', args['auth-block'], 1_000, 86_400_000),
    },
    trustProxy: checkTrustProxy(args['trust-proxy'] ?? []),
    pretty: args['log-format'] !== 'openalgo' && (args.pretty ?? process.stdout.isTTY === true),
    logFormat: checkLogFormat(args['log-format']),
  };
  if (args.cluster !== undefined) {
    if (options.registry !== 'singleton') throw new UsageError(`--cluster needs --registry singleton, got '${options.registry}'`);
    const secret = args['cluster-secret'] ?? process.env[CLUSTER_SECRET_ENV];
    options.cluster = {
      url: withRedisPassword(checkClusterUrl(args.cluster), process.env[REDIS_PASSWORD_ENV]),
      ttlMs: wholeNumberOption('lease-ttl-ms', args['lease-ttl-ms'], MIN_LEASE_TTL_MS),
      prefix: checkClusterPrefix(args['cluster-prefix']),
      ...(args['gateway-id'] !== undefined && { gatewayId: checkGatewayId(args['gateway-id']) }),
      ...(secret !== undefined && secret !== '' && { secret: checkClusterSecret(secret) }),
    };
  }
  const adminToken = args['admin-token'] ?? process.env[ADMIN_TOKEN_ENV];
  if (adminToken !== undefined && adminToken !== '') options.adminToken = adminToken;
  try {
    if (args.users !== undefined) options.users = loadUsersFile(args.users);
    if (args.instruments !== undefined) options.instruments = loadInstrumentsFile(args.instruments);
  } catch (err) {
    if (err instanceof UsersFileError || err instanceof InstrumentsFileError) throw new UsageError(err.message);
    throw err;
  }
  return options;
}

function checkRegistry(value: string): RegistryChoice {
  if (!(REGISTRY_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`--registry must be one of ${REGISTRY_CHOICES.join(', ')}, got '${value}'`);
  }
  return value as RegistryChoice;
}

function checkLogFormat(value: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got '${value}'`);
  return value as LogFormat;
}

/** Below this the renewal period (TTL/3) is shorter than a Redis round trip on a loaded machine. */
const MIN_LEASE_TTL_MS = 300;

function checkClusterUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new UsageError(`--cluster must be a redis:// or rediss:// URL, got '${redactRedisUrl(value)}'`);
  }
  return value;
}

/** Short secrets are guessable offline from one captured message: ask for 16 bytes or more. */
const MIN_CLUSTER_SECRET_BYTES = 16;

function checkClusterSecret(value: string): string {
  if (Buffer.byteLength(value) < MIN_CLUSTER_SECRET_BYTES) {
    throw new UsageError(`--cluster-secret must be at least ${MIN_CLUSTER_SECRET_BYTES} bytes (e.g. openssl rand -hex 32)`);
  }
  return value;
}

function checkClusterPrefix(value: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) throw new UsageError(`--cluster-prefix must be 1–64 letters, digits, '_', '.' or '-', got '${value}'`);
  return value;
}

function withRedisPassword(url: string, password: string | undefined): string {
  if (password === undefined || password === '') return url;
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function checkTrustProxy(values: string[]): string[] {
  const cidrs = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  try {
    new TrustedProxies(cidrs);
  } catch (err) {
    throw new UsageError(`--trust-proxy: ${(err as Error).message}; use a CIDR such as 10.0.0.0/8 or an address`);
  }
  return cidrs;
}

function checkGatewayId(value: string): string {
  if (value.length === 0 || Buffer.byteLength(value) > 255) throw new UsageError(`--gateway-id must be 1–255 bytes, got '${value}'`);
  return value;
}

function checkBrokerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--broker-url must be a ws:// or wss:// URL, got '${value}'`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`--broker-url must be a ws:// or wss:// URL, got '${value}'`);
  return value;
}

async function handler(args: GatewayArgs): Promise<void> {
  const options = optionsFromArgs(args);
  let gateway;
  try {
    gateway = await startGateway(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
    if (err instanceof ClusterUnavailableError) throw new UsageError(err.message);
    if (isListenFailure(e)) {
      const admin = e.port === options.adminPort && e.address === options.adminHost;
      const fallback = admin ? GATEWAY_DEFAULTS.adminPort : GATEWAY_DEFAULTS.port;
      throw new UsageError(listenFailureMessage(e.code, e.address ?? args.host, e.port ?? 0, admin ? '--admin-port/--admin-host' : '--port/--host', fallback));
    }
    throw err;
  }
  if (!options.users) {
    process.stderr.write(
      `stormcheck gateway: no --users file; demo user '${DEMO_USER.userId}' (client code ${DEMO_USER.clientCode}) ` +
        `authenticates with api_key '${DEMO_USER.apiKey}'\n`,
    );
  }
  if (options.cluster && options.cluster.secret === undefined) process.stderr.write(`stormcheck gateway: warning: ${NO_SECRET_WARNING}\n`);
  process.stderr.write(`stormcheck gateway: clients ${gateway.url}, admin ${gateway.adminUrl} (Ctrl-C stops)\n`);
  const signal = await untilStopSignal();
  process.stderr.write(`stormcheck gateway: interrupted by ${signal}; closing the client and admin servers and the upstream connections\n`);
  await gateway.close();
  process.exitCode = INTERRUPTED_EXIT[signal];
}

export const gatewayCommand: Pick<CommandModule<object, GatewayArgs>, 'builder' | 'handler'> = {
  builder,
  handler,
};
