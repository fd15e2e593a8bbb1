import type { Argv, CommandModule } from 'yargs';
import { EXIT } from '../errors/usage-error.ts';
import type { RegistryMode } from '../gateway/index.ts';
import { durationOption, progressOnTty, wholeNumberOption } from './scenario/option-checks.ts';
import { runReproduce } from './scenario/reproduce.ts';
import { renderReproduceTable } from './scenario/reproduce-table.ts';
import { SCENARIOS, type Scenario } from './scenario/traffic-plan.ts';

const MODES = { both: ['legacy', 'singleton'], legacy: ['legacy'], singleton: ['singleton'] } as const satisfies Record<string, RegistryMode[]>;

interface ReproduceArgs {
  clients: number;
  duration: string;
  seed: number;
  limit: number;
  mode: keyof typeof MODES;
  scenario: Scenario;
  json: boolean;
}

export const reproduceCommand: CommandModule<object, ReproduceArgs> = {
  command: 'reproduce',
  describe: 'Reproduce the storm: legacy vs singleton registry against the embedded mock broker',
  builder: (yargs: Argv) =>
    yargs
      .option('clients', { type: 'number', default: 20, describe: 'client connections (services of one app), 1–200' })
      .option('duration', { type: 'string', default: '10s', describe: 'traffic time per mode, 2s–2m' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the traffic plan and the broker\'s ticks' })
      .option('limit', { type: 'number', default: 2, describe: 'the mock broker\'s connections per client code' })
      .option('mode', { choices: Object.keys(MODES), default: 'both', describe: 'which registry modes to run' })
      .option('scenario', { choices: SCENARIOS, default: 'all', describe: 'traffic pattern' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' })
      .example('$0 reproduce', 'legacy then singleton, 20 clients, 10 s each')
      .example('$0 reproduce --mode legacy --clients 40 --json', 'only the legacy registry, as JSON')
      .epilogue('Exit codes: 0 legacy stormed and singleton was clean, 1 an expectation failed, 2 bad option.') as unknown as Argv<ReproduceArgs>,
  handler: async (args) => {
    const report = await runReproduce({
      clients: wholeNumberOption('clients', args.clients, 1, 200),
      durationMs: durationOption('duration', args.duration, 2000, 120_000),
      seed: wholeNumberOption('seed', args.seed, 0, 2 ** 32 - 1),
      limit: wholeNumberOption('limit', args.limit, 1, 100),
      modes: [...MODES[args.mode]],
      scenario: args.scenario,
      onProgress: progressOnTty(),
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReproduceTable(report));
    process.exitCode = report.pass ? EXIT.ok : EXIT.findings;
  },
};
