import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors/usage-error.ts';
import { GATEWAY_DEFAULTS, startGateway, type GatewayOptions } from './gateway.ts';
import { InstrumentsFileError, loadInstrumentsFile } from './instruments.ts';
import type { RegistryMode } from './registry/registry.ts';
import { DEMO_USER, UsersFileError, loadUsersFile } from './users.ts';

interface GatewayArgs {
  host: string;
  port: number;
  'broker-url': string;
  registry: RegistryMode;
  users?: string;
  instruments?: string;
  'admin-port': number;
  'max-reconnect': number;
  'linger-ms': number;
  pretty: boolean;
}

const REGISTRY_MODES: readonly RegistryMode[] = ['singleton', 'legacy'];

function builder(yargs: Argv): Argv<GatewayArgs> {
  return yargs
    .option('host', { type: 'string', default: GATEWAY_DEFAULTS.host, describe: 'Interface to bind (client and admin servers)' })
    .option('port', { type: 'number', default: GATEWAY_DEFAULTS.port, describe: 'OpenAlgo client WebSocket port (0 = any free port)' })
    .option('broker-url', { type: 'string', default: GATEWAY_DEFAULTS.brokerUrl, describe: 'AngelOne SmartAPI WebSocket 2.0 URL' })
    .option('registry', {
      choices: REGISTRY_MODES,
      default: GATEWAY_DEFAULTS.registry,
      describe: 'singleton: one adapter per (user, broker); legacy: reproduce the OpenAlgo storm',
    })
    .option('users', { type: 'string', describe: 'JSON array of users {apiKey,userId,broker,clientCode,brokerApiKey,feedToken,authToken}; absent: demo user' })
    .option('instruments', { type: 'string', describe: 'AngelOne scrip-master JSON [{token,symbol,name,exch_seg}]; absent: bundled NIFTY 50 + indices' })
    .option('admin-port', { type: 'number', default: GATEWAY_DEFAULTS.adminPort, describe: 'Admin HTTP port: /health, /metrics, POST /users/:id/logout' })
    .option('max-reconnect', { type: 'number', default: GATEWAY_DEFAULTS.maxReconnect, describe: 'Upstream connection attempts per cycle before giving up' })
    .option('linger-ms', { type: 'number', default: GATEWAY_DEFAULTS.lingerMs, describe: 'Release an adapter this long after its last client left (0 = keep until logout)' })
    .option('pretty', { type: 'boolean', default: false, describe: 'Human-readable logs instead of JSON lines (default on a TTY)' })
    .example(
      '$0 gateway --broker-url ws://127.0.0.1:9443/smart-stream --users users.json',
      'Serve OpenAlgo clients on ws://127.0.0.1:8765 with one upstream AngelOne connection per user',
    )
    .example('$0 gateway --registry legacy --port 8775 --admin-port 8776', 'Run the buggy legacy registry for comparison') as Argv<GatewayArgs>;
}

function checkPort(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--${name} must be an integer port 0–65535, got ${value}`);
  return value;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/** Turns validated CLI arguments into GatewayOptions; file problems become UsageErrors naming the file. */
export function optionsFromArgs(args: GatewayArgs): GatewayOptions {
  const options: GatewayOptions = {
    host: args.host,
    port: checkPort('port', args.port),
    adminPort: checkPort('admin-port', args['admin-port']),
    brokerUrl: checkBrokerUrl(args['broker-url']),
    registry: checkRegistry(args.registry),
    maxReconnect: checkCount('max-reconnect', args['max-reconnect'], 1),
    lingerMs: checkCount('linger-ms', args['linger-ms'], 0),
    pretty: args.pretty || process.stdout.isTTY === true,
  };
  try {
    if (args.users !== undefined) options.users = loadUsersFile(args.users);
    if (args.instruments !== undefined) options.instruments = loadInstrumentsFile(args.instruments);
  } catch (err) {
    if (err instanceof UsersFileError || err instanceof InstrumentsFileError) throw new UsageError(err.message);
    throw err;
  }
  return options;
}

function checkRegistry(value: string): RegistryMode {
  if (!(REGISTRY_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`--registry must be singleton or legacy, got '${value}'`);
  }
  return value as RegistryMode;
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
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES') {
      throw new UsageError(`cannot listen on ${args.host} (${e.code}): pick other --host/--port/--admin-port values`);
    }
    throw err;
  }
  if (!options.users) {
    process.stderr.write(
      `stormcheck gateway: no --users file; demo user '${DEMO_USER.userId}' (client code ${DEMO_USER.clientCode}) ` +
        `authenticates with api_key '${DEMO_USER.apiKey}'\n`,
    );
  }
  process.stderr.write(`stormcheck gateway: clients ${gateway.url}, admin ${gateway.adminUrl} (Ctrl-C stops)\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`stormcheck gateway: ${signal} received, closing\n`);
  await gateway.close();
  process.exitCode = 0;
}

export const gatewayCommand: CommandModule<object, GatewayArgs> = {
  command: 'gateway',
  describe: 'Run the reference gateway (OpenAlgo client protocol, one AngelOne adapter per user)',
  builder,
  handler,
};
