import yargs from 'yargs';
import type { CommandModule, MiddlewareFunction } from 'yargs';
import { EXIT, UsageError } from '../contract/usage-error.ts';
import { withFullWidthExamples } from './full-width-examples.ts';
import { rejectNonNumbers } from '../contract/number-arguments.ts';
import { packageVersion } from '../contract/package-version.ts';
import { usageMessage } from './usage-message.ts';
import { rejectMissingValues, type DeclaredOptions } from './missing-values.ts';

/** A command's options and handler; its name, positionals and summary are in COMMANDS. */
type CommandBody = Pick<CommandModule, 'builder' | 'handler'>;

/**
 * The one list of commands. Each module is imported only when its command is the one asked for, and
 * `stormcheck --help` imports none: the summaries it lists are here. Importing every module costs
 * start-up that CI pays on every log it gates.
 */
const COMMANDS: Record<string, { command: string; describe: string; load: () => Promise<CommandBody> }> = {
  'mock-broker': {
    command: 'mock-broker',
    describe: 'Run the mock AngelOne SmartAPI WebSocket 2.0 broker with a per-client-code connection limit',
    load: async () => (await import('../mock-broker/command.ts')).mockBrokerCommand as CommandBody,
  },
  fault: {
    command: 'fault <mock-url> <action> [fault-id]',
    describe: "List, inject or clear a running mock broker's faults, or reset it",
    load: async () => (await import('../mock-broker/command.ts')).faultCommand as CommandBody,
  },
  gateway: {
    command: 'gateway',
    describe: 'Run the reference gateway (OpenAlgo client protocol, one AngelOne adapter per user)',
    load: async () => (await import('../gateway/command.ts')).gatewayCommand as CommandBody,
  },
  verify: {
    command: 'verify [paths..]',
    describe: 'Read OpenAlgo or gateway logs and fail when they show more than one adapter per user',
    load: async () => (await import('../verifier/verify-command.ts')).verifyCommand as CommandBody,
  },
  rules: {
    command: 'rules [name]',
    describe: 'List the rules verify applies, or explain one: what it means, the lines that trigger it, thresholds, the fix',
    load: async () => (await import('../verifier/rules-command.ts')).rulesCommand as CommandBody,
  },
  reproduce: {
    command: 'reproduce',
    describe: 'Reproduce the storm: OpenAlgo 2025-11 and 2026-08 behaviour vs the singleton registry, against the embedded mock broker',
    load: async () => (await import('../scenarios/reproduce/command.ts')).reproduceCommand as CommandBody,
  },
  probe: {
    command: 'probe <ws-url>',
    describe: 'Drive a live OpenAlgo-protocol WebSocket endpoint with storm traffic and judge the outcome',
    load: async () => (await import('../scenarios/explore/explore-command.ts')).probeWithExploreCommand as CommandBody,
  },
};

/** The part of the yargs instance that yargs 18 hands to middleware and @types/yargs 17 leaves out. */
interface ParsingInstance {
  getOptions(): DeclaredOptions & { number: string[] };
  getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } };
}

/**
 * The asked command with its options; any other command is its name and summary alone, which is all
 * `stormcheck --help` and a did-you-mean need.
 */
async function loadCommands(asked: string | undefined): Promise<CommandModule[]> {
  return Promise.all(
    Object.entries(COMMANDS).map(async ([name, { command, describe, load }]) =>
      name === asked ? withFullWidthExamples({ command, describe, ...(await load()) }) : { command, describe, handler: () => {} },
    ),
  );
}

/**
 * Parses and validates everything (unknown options, choices, numbers) before any handler runs: a
 * mistake prints one line on stderr, nothing on stdout, and exits 2 without doing any work. Each
 * handler sets `process.exitCode` itself; a UsageError it throws also becomes exit 2.
 */
export async function main(argv: string[]): Promise<number> {
  let knownOptions: string[] = [];
  const typed = argv.find((arg) => !arg.startsWith('-'));
  const asked = typed !== undefined && typed in COMMANDS ? typed : undefined;
  const commands = await loadCommands(asked);
  const parser = yargs(argv)
    .scriptName('stormcheck')
    .usage(
      '$0 <command> [options]\n\n' +
        'Find, reproduce and prevent the one-adapter-per-user bug: a trading gateway that opens more than\n' +
        'one upstream AngelOne connection per user and is throttled with HTTP 429.',
    )
    .command(commands)
    .demandCommand(1, `Name a command: ${Object.keys(COMMANDS).join(', ')} (see --help).`)
    .strict()
    .recommendCommands()
    .middleware(((args: Record<string, unknown>, instance: ParsingInstance) => {
      const options = instance.getOptions();
      knownOptions = Object.keys(options.key);
      rejectMissingValues(argv, options, asked);
      rejectNonNumbers(args, options.number, options.alias, argv);
      // yargs renders the command's whole help as its handler starts, kept in case the handler fails
      // and help must be shown. A failure here is one line, never help, and the rendering cost every
      // `stormcheck verify` a third of its start-up.
      instance.getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
    }) as unknown as MiddlewareFunction, true)
    .help()
    .alias('h', 'help')
    .version('version', 'Show the version number', packageVersion())
    .alias('v', 'version')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .epilogue('Exit codes: 0 success/clean, 1 findings or failed verdict, 2 usage or input error.')
    .fail((msg, err) => {
      if (err && !(err instanceof UsageError)) throw err;
      throw new UsageError(usageMessage(msg || err?.message || 'invalid usage', knownOptions, asked === undefined ? undefined : COMMANDS[asked]!.command));
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
