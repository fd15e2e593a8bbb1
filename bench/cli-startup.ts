import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { intOption } from './bench-args.ts';
import { alternatedRuns } from './measure-process.ts';
import { median } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';
import { BUILT_CLI } from './built-cli.ts';

const BASELINE = 'node -e 0';
const INCIDENT = new URL('../fixtures/logs/incident.log', import.meta.url).pathname;
/** Issue 23: the targets, as ratios to `node -e 0` measured in the same run. */
const TARGETS: Record<string, number> = {
  'stormcheck --version': 1.5,
  'stormcheck --help': 2,
  'stormcheck verify FILE (50 lines)': 2,
};

/**
 * Start-up of the built CLI against a bare `node -e 0` in the same run: medians of `--runs` (11, at
 * least 5) alternated runs, with the load average before and after. `verify FILE` judges a 50-line
 * log, what a CI gate on a small log pays; `verify --help` adds yargs' help of one command.
 */
export const cliStartup: Benchmark = {
  name: 'cli-startup',
  description: 'stormcheck --version, --help, verify --help and verify on a 50-line log vs node -e 0',
  async run(args: string[]): Promise<BenchTable> {
    const runs = Math.max(5, intOption(args, 'runs', 11));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stormcheck-bench-startup-'));
    try {
      const log = path.join(dir, 'fifty.log');
      await writeFile(log, `${(await readFile(INCIDENT, 'utf8')).split('\n').slice(0, 50).join('\n')}\n`);
      const commands = {
        [BASELINE]: [process.execPath, ['-e', '0']],
        'stormcheck --version': [process.execPath, [BUILT_CLI, '--version']],
        'stormcheck --help': [process.execPath, [BUILT_CLI, '--help']],
        'stormcheck verify --help': [process.execPath, [BUILT_CLI, 'verify', '--help']],
        'stormcheck verify FILE (50 lines)': [process.execPath, [BUILT_CLI, 'verify', log]],
      } as const;
      const before = os.loadavg();
      const results = await alternatedRuns(commands, runs);
      const after = os.loadavg();
      const base = median(results[BASELINE]!.map((r) => r.seconds));
      const ratio = (name: string) => median(results[name]!.map((r) => r.seconds)) / base;
      const rows = Object.keys(results).map((name) => {
        const target = TARGETS[name];
        const verdict = target === undefined ? '' : `<= ${target}x: ${ratio(name) <= target ? 'met' : 'MISSED'}`;
        return [name, (ratio(name) * base * 1000).toFixed(0), ratio(name).toFixed(2), verdict];
      });
      const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
      return {
        title: `CLI start-up: median of ${runs} alternated runs`,
        columns: ['command', 'wall ms', `x ${BASELINE}`, 'target'],
        rows,
        notes: [`load average (1, 5, 15 min) before ${load(before)}, after ${load(after)}`],
        data: results,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
