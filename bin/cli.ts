import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { EXIT, UsageError } from '../errors/usage-error.ts';

/**
 * Each subcommand's module is imported only when it is the one asked for: importing all five costs
 * `stormcheck verify` most of a second of start-up, which CI pays on every log it gates.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  'mock-broker': async () => (await import('../fixtures/angel-broker/command.ts')).mockBrokerCommand as CommandModule,
  gateway: async () => (await import('../gateway/command.ts')).gatewayCommand as CommandModule,
  verify: async () => (await import('../verifier/verify-command.ts')).verifyCommand as CommandModule,
  reproduce: async () => (await import('../verifier/reproduce-command.ts')).reproduceCommand as CommandModule,
  probe: async () => (await import('../verifier/probe-command.ts')).probeCommand as CommandModule,
};

async function loadCommands(argv: string[]): Promise<CommandModule[]> {
  const asked = argv.find((arg) => !arg.startsWith('-'));
  const names = asked !== undefined && asked in COMMANDS ? [asked] : Object.keys(COMMANDS);
  return Promise.all(names.map((name) => COMMANDS[name]!()));
}

/**
 * Each subcommand's handler sets `process.exitCode` (or returns a number through it) itself; `main`
 * turns usage mistakes and thrown UsageErrors into exit 2 with one line on stderr.
 */
export async function main(argv: string[]): Promise<number> {
  let failure: string | undefined;
  const parser = yargs(argv)
    .scriptName('stormcheck')
    .usage(
      '$0 <command> [options]\n\n' +
        'Find, reproduce and prevent the one-adapter-per-user bug: a trading gateway that opens more than\n' +
        'one upstream AngelOne connection per user and is throttled with HTTP 429.',
    )
    .option('time-scale', {
      type: 'number',
      global: true,
      describe: 'Multiply every delay of the legacy registries (SDK retry sleeps, back-offs, freeze, watchdog) by this factor (gateway: 1, reproduce: 0.05)',
    })
    .command(await loadCommands(argv))
    .demandCommand(1, 'Name a command: mock-broker, gateway, verify, reproduce or probe (see --help).')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .epilogue('Exit codes: 0 success/clean, 1 findings or failed verdict, 2 usage or input error.')
    .fail((msg, err) => {
      if (err && !(err instanceof UsageError)) throw err;
      failure = (msg || err?.message || 'invalid usage').split('\n')[0];
    })
    .exitProcess(false);

  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    failure = err.message;
  }
  if (failure !== undefined) {
    process.stderr.write(`stormcheck: ${failure}\n`);
    return EXIT.usage;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
