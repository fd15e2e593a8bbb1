import { intOption } from './bench-args.ts';
import { alternatedRuns } from './measure-process.ts';
import { median } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';
import { BUILT_CLI } from './built-cli.ts';

const TARGET_RATIO = 2;
const BASELINE = 'node -e 0';

/**
 * Issue 14: start-up of the built CLI against a bare `node -e 0` in the same run, medians of
 * `--runs` (11) alternated runs. `verify --help` adds loading yargs and one command module.
 */
export const cliStartup: Benchmark = {
  name: 'cli-startup',
  description: 'stormcheck --version and verify --help vs node -e 0',
  async run(args: string[]): Promise<BenchTable> {
    const runs = intOption(args, 'runs', 11);
    const commands = {
      [BASELINE]: [process.execPath, ['-e', '0']],
      'stormcheck --version': [process.execPath, [BUILT_CLI, '--version']],
      'stormcheck verify --help': [process.execPath, [BUILT_CLI, 'verify', '--help']],
    } as const;
    const results = await alternatedRuns(commands, runs);
    const base = median(results[BASELINE]!.map((r) => r.seconds));
    const rows = Object.entries(results).map(([name, rs]) => {
      const ms = median(rs.map((r) => r.seconds)) * 1000;
      return [name, ms.toFixed(0), ((ms / 1000) / base).toFixed(2)];
    });
    const ratio = median(results['stormcheck --version']!.map((r) => r.seconds)) / base;
    return {
      title: `CLI start-up: median of ${runs} alternated runs`,
      columns: ['command', 'wall ms', `x ${BASELINE}`],
      rows,
      notes: [`target: stormcheck --version <= ${TARGET_RATIO}x ${BASELINE}: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`],
      data: results,
    };
  },
};
