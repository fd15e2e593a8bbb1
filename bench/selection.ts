import type { Benchmark } from './table.ts';

/**
 * The benchmarks `--only` names, comma-separated and in the order given, so ratios that must be measured
 * in the same run (verify-throughput and cli-startup) can be; without it, all but those that run only
 * when named. An unknown name throws rather than silently running less.
 */
export function selectBenchmarks(all: Benchmark[], only: string | undefined): Benchmark[] {
  if (only === undefined) return all.filter((b) => !b.onlyWhenNamed);
  return only.split(',').map((name) => {
    const found = all.find((b) => b.name === name.trim());
    if (!found) throw new Error(`no benchmark named '${name.trim()}'; known: ${all.map((b) => b.name).join(', ')}`);
    return found;
  });
}
