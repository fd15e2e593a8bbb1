import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { EXIT, UsageError } from './cli-error.ts';
import { mockBrokerCommand } from '../fixtures/angel-broker/command.ts';
import { gatewayCommand } from '../gateway/command.ts';
import { verifyCommand } from '../verifier/verify-command.ts';
import { reproduceCommand } from '../verifier/reproduce-command.ts';
import { probeCommand } from '../verifier/probe-command.ts';

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
    .command(mockBrokerCommand as CommandModule)
    .command(gatewayCommand as CommandModule)
    .command(verifyCommand as CommandModule)
    .command(reproduceCommand as CommandModule)
    .command(probeCommand as CommandModule)
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
