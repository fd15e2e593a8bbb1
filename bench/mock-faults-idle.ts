import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { intOption, stringOption } from './bench-args.ts';
import { median } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';

const run = promisify(execFile);
const WORKER = new URL('./mock-tick-rate.ts', import.meta.url).pathname;
const THIS_DIST = new URL('../dist', import.meta.url).pathname;
/** Faults must cost nothing when none is active: within 5 % of a broker that never had one. */
const TARGET_RATIO = 0.95;

async function tickRate(dist: string, variant: 'fresh' | 'idle', seconds: number): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', WORKER, dist, variant, String(seconds)]);
  return (JSON.parse(stdout) as { ticksPerSecond: number }).ticksPerSecond;
}

/**
 * Issue 25: the mock broker's tick throughput with faults idle. Alternates, `--runs` (5) times, a broker
 * that never had a fault, one whose faults were injected and removed, and with `--baseline-dist DIR`
 * (the `dist/` of another build, e.g. main before the faults) that build's broker; each for
 * `--seconds` (3) in its own process. Reports medians and ratios to the fresh broker of this build.
 */
export const mockFaultsIdle: Benchmark = {
  name: 'mock-faults-idle',
  description: 'mock broker tick throughput: no fault ever, faults removed, and an older build',
  async run(args: string[]): Promise<BenchTable> {
    const runs = intOption(args, 'runs', 5);
    const seconds = intOption(args, 'seconds', 3);
    const baseline = stringOption(args, 'baseline-dist');
    const variants: Array<[string, string, 'fresh' | 'idle']> = [
      ['this build, no fault ever', THIS_DIST, 'fresh'],
      ['this build, faults injected then removed', THIS_DIST, 'idle'],
      ...(baseline ? [[`baseline ${baseline}`, baseline, 'fresh'] as [string, string, 'fresh']] : []),
    ];
    const loadBefore = os.loadavg()[0]!.toFixed(2);
    const rates = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (let i = 0; i < runs; i++) {
      for (const [name, dist, variant] of variants) rates.get(name)!.push(await tickRate(dist, variant, seconds));
    }
    const loadAfter = os.loadavg()[0]!.toFixed(2);
    const base = median(rates.get(variants[0]![0])!);
    const rows = variants.map(([name]) => {
      const m = median(rates.get(name)!);
      return [name, Math.round(m), (m / base).toFixed(3), rates.get(name)!.map((r) => Math.round(r)).join(' ')];
    });
    const idleRatio = median(rates.get(variants[1]![0])!) / base;
    return {
      title: `Mock broker tick throughput (1000 tokens x 2 modes, 1 ms interval): median of ${runs} alternated runs of ${seconds} s`,
      columns: ['broker', 'ticks/s', 'x no fault ever', 'runs'],
      rows,
      notes: [
        `load average before ${loadBefore}, after ${loadAfter}`,
        `target: faults removed >= ${TARGET_RATIO}x no fault ever: ${idleRatio >= TARGET_RATIO ? 'met' : 'MISSED'} (${idleRatio.toFixed(3)}x)`,
      ],
      data: Object.fromEntries(rates),
    };
  },
};
