import type { Argv, CommandModule } from 'yargs';
import { PinoPretty } from 'pino-pretty';
import { ADMIN_TOKEN_ENV } from '../contract/admin-request-guard.ts';
import { isListenFailure, listenFailureMessage } from '../contract/listen-failure.ts';
import { LOG_LEVELS, logLevelOption } from '../contract/log-levels.ts';
import { portOption, wholeNumberOption } from '../contract/option-checks.ts';
import { UsageError } from '../contract/usage-error.ts';
import { INTERRUPTED_EXIT, untilStopSignal } from '../contract/interrupt.ts';
import { AccountsFileError, loadAccounts } from './accounts-file.ts';
import { ANGEL_HOSTNAMES } from './endpoints.ts';
import { parseFaultPlanText, type FaultPlan } from './fault-plan.ts';
import { readFailure, readRegularFile } from './regular-file.ts';
import { MAX_TIMER_MS } from './faults.ts';
import { MOCK_BROKER_DEFAULTS, startMockBroker } from './server.ts';
import { loadTlsFiles, selfSignedAngelCertificate, TlsFileError } from './tls-credentials.ts';
import type { MockBrokerOptions, OnLimit, TlsCredentials } from './types.ts';

/** bin/ enters mock-broker through this module, so the fault command is reached from here too. */
export { faultCommand } from './fault-command.ts';

interface MockBrokerArgs {
  host: string;
  port: number;
  limit: number;
  'on-limit': string;
  'slot-hold-ms': number;
  'max-tokens': number;
  'tick-ms': number;
  seed: number;
  accounts?: string;
  'strict-api-key': boolean;
  'order-limit': number;
  tls: boolean;
  cert?: string;
  key?: string;
  'admin-token'?: string;
  faults?: string;
  'log-level': string;
  pretty: boolean;
}

const ON_LIMIT: readonly OnLimit[] = ['reject', 'evict-oldest', 'close-existing'];

/** --cert/--key files, or a self-signed certificate for AngelOne's host names when neither is given. */
async function tlsFromArgs(args: MockBrokerArgs): Promise<TlsCredentials | undefined> {
  const wanted = args.tls || args.cert !== undefined || args.key !== undefined;
  if (!wanted) return undefined;
  if ((args.cert === undefined) !== (args.key === undefined)) {
    throw new UsageError(`--cert and --key go together; give both, or neither for a self-signed certificate for ${ANGEL_HOSTNAMES.join(' and ')}`);
  }
  if (args.cert === undefined || args.key === undefined) return selfSignedAngelCertificate();
  try {
    return await loadTlsFiles(args.cert, args.key);
  } catch (err) {
    if (err instanceof TlsFileError) throw new UsageError(err.message);
    throw err;
  }
}

/** Reads `--faults FILE`; a file that is not a valid plan is a usage error naming the file and the field. */
async function faultPlanFromFile(file: string): Promise<FaultPlan> {
  let text: string;
  try {
    text = await readRegularFile(file);
  } catch (err) {
    throw new UsageError(`--faults: cannot read ${file}: ${readFailure(err)}`);
  }
  const parsed = parseFaultPlanText(text);
  if (!parsed.ok) throw new UsageError(`--faults ${file}: ${parsed.error}`);
  return parsed.plan;
}

/** Turns validated command-line arguments into broker options; throws UsageError naming the bad option. */
async function brokerOptionsFromArgs(args: MockBrokerArgs): Promise<MockBrokerOptions> {
  if (!ON_LIMIT.includes(args['on-limit'] as OnLimit)) {
    throw new UsageError(`--on-limit must be one of ${ON_LIMIT.join(', ')}, got ${JSON.stringify(args['on-limit'])}`);
  }
  if (args.host.trim() === '') throw new UsageError('--host must name an interface, e.g. 127.0.0.1');
  let accounts: MockBrokerOptions['accounts'];
  if (args.accounts !== undefined) {
    try {
      accounts = await loadAccounts(args.accounts);
    } catch (err) {
      if (err instanceof AccountsFileError) throw new UsageError(`--accounts: ${err.message}`);
      throw err;
    }
  }
  return {
    host: args.host,
    port: portOption('port', args.port),
    limit: wholeNumberOption('limit', args.limit, 1),
    onLimit: args['on-limit'] as OnLimit,
    orderLimit: wholeNumberOption('order-limit', args['order-limit'], 1),
    slotHoldMs: wholeNumberOption('slot-hold-ms', args['slot-hold-ms'], 0, MAX_TIMER_MS),
    maxTokens: wholeNumberOption('max-tokens', args['max-tokens'], 1),
    tickMs: wholeNumberOption('tick-ms', args['tick-ms'], 1, MAX_TIMER_MS),
    seed: wholeNumberOption('seed', args.seed, 0, 0xffffffff),
    accounts,
    accountsFile: args.accounts,
    strictApiKey: args['strict-api-key'],
    logLevel: logLevelOption(args['log-level']),
    tls: await tlsFromArgs(args),
    adminToken: args['admin-token'] || process.env[ADMIN_TOKEN_ENV] || undefined,
    faultPlan: args.faults === undefined ? undefined : await faultPlanFromFile(args.faults),
  };
}

/** `stormcheck mock-broker`: runs the broker until SIGINT/SIGTERM, then closes every connection. */
export const mockBrokerCommand: Pick<CommandModule<object, MockBrokerArgs>, 'builder' | 'handler'> = {
  builder: (yargs: Argv) =>
    yargs
      .option('host', { type: 'string', default: MOCK_BROKER_DEFAULTS.host, describe: 'Interface to listen on' })
      .option('port', { type: 'number', default: MOCK_BROKER_DEFAULTS.port, describe: 'Port for /smart-stream and /__admin/ (0 picks a free one)' })
      .option('limit', { type: 'number', default: MOCK_BROKER_DEFAULTS.limit, describe: 'Open connections allowed per client code' })
      .option('on-limit', {
        type: 'string',
        choices: ON_LIMIT,
        default: MOCK_BROKER_DEFAULTS.onLimit,
        describe: 'Past the limit: refuse the handshake with 429, close the oldest connection, or reset it (TCP RST) as AngelOne sometimes does',
      })
      .option('order-limit', { type: 'number', default: MOCK_BROKER_DEFAULTS.orderLimit, describe: 'Open /smart-order-update connections allowed per client code' })
      .option('slot-hold-ms', { type: 'number', default: MOCK_BROKER_DEFAULTS.slotHoldMs, describe: 'Keep a closed connection\'s slot taken this long' })
      .option('max-tokens', { type: 'number', default: MOCK_BROKER_DEFAULTS.maxTokens, describe: 'Distinct tokens per connection before E1002' })
      .option('tick-ms', { type: 'number', default: MOCK_BROKER_DEFAULTS.tickMs, describe: 'Interval between ticks of each subscribed token' })
      .option('seed', { type: 'number', default: MOCK_BROKER_DEFAULTS.seed, describe: 'Seed of the deterministic price walks and of the faults\' probability draws' })
      .option('accounts', {
        type: 'string',
        describe: 'JSON array of {clientCode, apiKey, feedToken, authToken}; absent: any non-empty credentials pass',
      })
      .option('strict-api-key', { type: 'boolean', default: false, describe: 'Also match x-api-key against --accounts (AngelOne does not; OpenAlgo sends "api_key")' })
      .option('tls', { type: 'boolean', default: false, describe: `Serve wss:// and https://; without --cert/--key, with a self-signed certificate for ${ANGEL_HOSTNAMES.join(' and ')}` })
      .option('cert', { type: 'string', describe: 'PEM certificate file for --tls (with --key)' })
      .option('key', { type: 'string', describe: 'PEM private key file for --tls (with --cert)' })
      .option('faults', { type: 'string', describe: 'Run this fault plan (JSON, docs/mock-broker.md#fault-plans) from start-up' })
      .option('admin-token', {
        type: 'string',
        describe: `Require "Authorization: Bearer TOKEN" on /__admin/ requests (default: $${ADMIN_TOKEN_ENV} if set)`,
      })
      .option('log-level', { type: 'string', default: 'info', describe: `Log level: ${LOG_LEVELS.join(', ')}` })
      .option('pretty', { type: 'boolean', default: false, describe: 'Human-readable logs instead of JSON lines' })
      .example('$0 mock-broker --limit 2 --on-limit reject', 'AngelOne as the incident saw it: a third connection gets 429')
      .example('curl -s http://127.0.0.1:9443/__admin/stats', 'What the broker saw: open connections, peaks, 401/429 counts')
      .example('$0 mock-broker --faults plan.json --seed 7', 'Run a fault plan from start-up (docs/mock-broker.md#fault-plans)')
      .example('$0 mock-broker --tls --host 0.0.0.0 --port 443 --accounts accounts.json', 'AngelOne over TLS for an unmodified OpenAlgo (hosts entry; port 443 needs root or cap_net_bind_service)')
      .epilogue(
        'Clients connect to ws://HOST:PORT/smart-stream with the SmartAPI SDK headers (Authorization, x-api-key,\n' +
          'x-client-code, x-feed-token) or ?clientCode=&feedToken=&apiKey=. Admin API under /__admin/: stats,\n' +
          'events, fault-events, faults (GET, POST, DELETE [/ID]), faults/plan, reset, reload-accounts; drive\n' +
          'faults with `stormcheck fault`. Browsers (an Origin header) and non-loopback Host names are refused.\n' +
          'Order updates: /smart-order-update (Authorization: Bearer JWT). Stops on SIGINT/SIGTERM.\n\n' +
          'Exit codes: 130/143 stopped by SIGINT/SIGTERM, 2 bad option or cannot listen.',
      ) as unknown as Argv<MockBrokerArgs>,
  handler: async (args) => {
    const options = await brokerOptionsFromArgs(args);
    const logDestination = args.pretty ? PinoPretty({ colorize: process.stdout.isTTY === true }) : undefined;
    let broker;
    try {
      broker = await startMockBroker({ ...options, logDestination });
    } catch (err) {
      if (isListenFailure(err)) {
        throw new UsageError(listenFailureMessage(err.code, options.host ?? MOCK_BROKER_DEFAULTS.host, options.port ?? MOCK_BROKER_DEFAULTS.port, '--port/--host', MOCK_BROKER_DEFAULTS.port));
      }
      const code = (err as NodeJS.ErrnoException).code;
      // OpenSSL refuses a key that does not match the certificate, or PEM it cannot parse, only here.
      if (code?.startsWith('ERR_OSSL') && args.cert !== undefined) {
        throw new UsageError(`--cert ${args.cert} and --key ${args.key} are not a usable certificate and key (${(err as Error).message})`);
      }
      throw err;
    }
    process.stderr.write(`mock-broker: clients connect to ${broker.url} (order updates: ${broker.orderUpdateUrl})\n`);
    if (options.tls && args.cert === undefined) {
      process.stderr.write(`mock-broker: TLS with a self-signed certificate for ${ANGEL_HOSTNAMES.join(', ')} (clients must skip verification, as OpenAlgo does)\n`);
    }
    process.stderr.write(`mock-broker: admin API at ${broker.adminUrl}/__admin/ (stats, events, fault-events, faults, reset, reload-accounts); stormcheck fault ${broker.adminUrl} list\n`);
    const signal = await untilStopSignal();
    process.stderr.write(`mock-broker: interrupted by ${signal}; closing the broker and its connections\n`);
    await broker.close();
    process.exitCode = INTERRUPTED_EXIT[signal];
  },
};
