import { describe, expect, it } from 'vitest';
import { selectBenchmarks } from '../../bench/selection.ts';
import type { Benchmark } from '../../bench/table.ts';

const bench = (name: string, onlyWhenNamed?: true): Benchmark => ({
  name,
  description: name,
  ...(onlyWhenNamed ? { onlyWhenNamed } : {}),
  run: async () => ({ title: name, columns: [], rows: [] }),
});
const ALL = [bench('cli-startup'), bench('verify-throughput'), bench('fanout'), bench('explore-detection', true)];

describe('selectBenchmarks', () => {
  it('without --only runs every benchmark except those that run only when named', () => {
    expect(selectBenchmarks(ALL, undefined).map((b) => b.name)).toEqual(['cli-startup', 'verify-throughput', 'fanout']);
  });

  it('--only takes a comma-separated list and runs them in the order given, so ratios share one run', () => {
    expect(selectBenchmarks(ALL, 'verify-throughput,cli-startup').map((b) => b.name)).toEqual(['verify-throughput', 'cli-startup']);
    expect(selectBenchmarks(ALL, 'explore-detection').map((b) => b.name)).toEqual(['explore-detection']);
  });

  it('an unknown name is an error naming it and the known ones, so a typo runs nothing', () => {
    expect(() => selectBenchmarks(ALL, 'cli-startup,verify-thruput')).toThrow(
      "no benchmark named 'verify-thruput'; known: cli-startup, verify-throughput, fanout, explore-detection",
    );
    expect(() => selectBenchmarks(ALL, '')).toThrow(/no benchmark named ''/);
  });
});
