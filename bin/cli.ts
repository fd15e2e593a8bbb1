import yargs from 'yargs';
import type { CommandModule, MiddlewareFunction } from 'yargs';
import { EXIT, UsageError } from '../contract/usage-error.ts';
import { withFullWidthExamples } from './full-width-examples.ts';
import { rejectNonNumbers } from '../contract/number-arguments.ts';
import { packageVersion } from '../contract/package-version.ts';
import { usageMessage } from './usage-message.ts';

/**
 * Each subcommand's module is imported only when it is the one asked for: importing all six costs
 * `stormcheck verify` most of a second of start-up, which CI pays on every log it gates.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  'mock-broker': async () => (await import('../mock-broker/command.ts')).mockBrokerCommand as CommandModule,
  fault: async () => (await import('../mock-broker/command.ts')).faultCommand as CommandModule,
  gateway: async () => (await import('../gateway/command.ts')).gatewayCommand as CommandModule,
  verify: async () => (await import('../verifier/verify-command.ts')).verifyCommand as CommandModule,
  rules: async () => (await import('../verifier/rules-command.ts')).rulesCommand as CommandModule,
  reproduce: async () => (await import('../scenarios/reproduce/command.ts')).reproduceCommand as CommandModule,
  probe: async () => (await import('../scenarios/probe/command.ts')).probeCommand as CommandModule,
};

/** The part of the yargs instance that yargs 18 hands to middleware and @types/yargs 17 leaves out. */
interface ParsingInstance {
  getOptions(): { key: Record<string, unknown>; number: string[]; alias: Record<string, string[]> };
}

async function loadCommands(argv: string[]): Promise<CommandModule[]> {
  const asked = argv.find((arg) => !arg.startsWith('-'));
  const names = asked !== undefined && asked in COMMANDS ? [asked] : Object.keys(COMMANDS);
  return Promise.all(names.map(async (name) => withFullWidthExamples(await COMMANDS[name]!())));
}

/**
 * Parses and validates everything (unknown options, choices, numbers) before any handler runs: a
 * mistake prints one line on stderr, nothing on stdout, and exits 2 without doing any work. Each
 * handler sets `process.exitCode` itself; a UsageError it throws also becomes exit 2.
 */
export async function main(argv: string[]): Promise<number> {
  let knownOptions: string[] = [];
  const commands = await loadCommands(argv);
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
      describe: 'Multiply every delay of the legacy registries (SDK retry sleeps, back-offs, freeze, watchdog) by this factor (gateway: 1, reproduce: 0.03)',
    })
    .command(commands)
    .demandCommand(1, 'Name a command: mock-broker, fault, gateway, verify, rules, reproduce or probe (see --help).')
    .strict()
    .recommendCommands()
    .middleware(((args: Record<string, unknown>, instance: ParsingInstance) => {
      const options = instance.getOptions();
      knownOptions = Object.keys(options.key);
      rejectNonNumbers(args, options.number, options.alias, argv);
    }) as unknown as MiddlewareFunction, true)
    .help()
    .alias('h', 'help')
    .version('version', 'Show the version number', packageVersion())
    .alias('v', 'version')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .epilogue('Exit codes: 0 success/clean, 1 findings or failed verdict, 2 usage or input error.')
    .fail((msg, err) => {
      if (err && !(err instanceof UsageError)) throw err;
      const declared = commands.length === 1 ? commands[0]!.command : undefined;
      throw new UsageError(usageMessage(msg || err?.message || 'invalid usage', knownOptions, typeof declared === 'string' ? declared : undefined));
    })
    .exitProcess(false);

  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`stormcheck: ${err.message}\n`);
    return EXIT.usage;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
