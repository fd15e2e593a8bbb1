import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MUTANTS, type BankEntry } from '../support/mutants/bank.ts';
import { detect, EXPECTED, type Detection } from '../support/mutants/detection.ts';
import { TEST_OUTPUT } from '../support/chromium-page.ts';

/**
 * The detection table in repeated runs (docs/benchmarks.md#detection-table): the default probe and verify
 * against every entry of the bank. The legacy registries and the singleton get `STORMCHECK_DETECTION_RUNS`
 * runs (default 20), every other mutant `STORMCHECK_MUTANT_RUNS` (default 5), `STORMCHECK_DETECTION_PARALLEL`
 * (default 3) at a time. The table, with the machine's load, is printed and written to
 * test-output/detection-table.md.
 */
const RUNS = Number(process.env.STORMCHECK_DETECTION_RUNS ?? 20);
const MUTANT_RUNS = Number(process.env.STORMCHECK_MUTANT_RUNS ?? 5);
const PARALLEL = Number(process.env.STORMCHECK_DETECTION_PARALLEL ?? 3);

const ENTRIES: BankEntry[] = ['legacy-2025', 'legacy-2026', 'singleton', ...MUTANTS.filter((m) => !m.startsWith('legacy'))];
const runsOf = (entry: BankEntry) => (entry === 'singleton' || entry.startsWith('legacy') ? RUNS : MUTANT_RUNS);

/** At least 19 of every 20 runs. */
const required = (runs: number) => runs - Math.floor(runs / 20);

const results = new Map<BankEntry, Detection[]>();
const load: number[] = [];

/** Runs `count` detections of `entry`, `PARALLEL` at a time, each with its own broker, gateway and clean-up. */
async function detectRepeatedly(entry: BankEntry, count: number): Promise<Detection[]> {
  const done: Detection[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const cleanups: (() => unknown)[] = [];
      try {
        done.push(await detect((fn) => void cleanups.push(fn as () => unknown), entry));
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup();
      }
      load.push(loadavg()[0]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
  return done;
}

function tally(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => `${item} ×${n}`).join(', ') || '—';
}

function table(): string {
  const rows = [...results].map(([entry, runs]) => {
    const probe = runs.filter((r) => r.probe === 'fail').length;
    const verify = runs.filter((r) => r.verify === 'fail').length;
    return `| \`${entry}\` | ${probe} of ${runs.length} | ${tally(runs.flatMap((r) => r.failed))} | ${verify} of ${runs.length} | ${tally(runs.flatMap((r) => r.rules))} |`;
  });
  const sorted = [...load].sort((a, b) => a - b);
  return [
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, load average (1 min) during the runs: median ${sorted[sorted.length >> 1]?.toFixed(1)}, ` +
      `${sorted[0]?.toFixed(1)}–${sorted.at(-1)?.toFixed(1)}; ${PARALLEL} runs at a time`,
    '',
    '| entry | default probe fails | checks that failed | verify fails | rules |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

describe('deep: the detection table', () => {
  afterAll(async () => {
    const text = table();
    console.log(text);
    await mkdir(TEST_OUTPUT, { recursive: true });
    await writeFile(path.join(TEST_OUTPUT, 'detection-table.md'), `${text}\n`);
  });

  it.for(ENTRIES)('deep: %s in repeated runs of the default probe and of verify on its log', { timeout: 900_000 }, async (entry) => {
    const runs = await detectRepeatedly(entry, runsOf(entry));
    results.set(entry, runs);
    const expected = EXPECTED[entry];
    const probeFails = runs.filter((r) => r.probe === 'fail');
    const verifyFails = runs.filter((r) => r.verify === 'fail');
    if (expected.probe === undefined) {
      expect(probeFails.map((r) => r.failed)).toEqual([]);
      expect(verifyFails.map((r) => r.rules)).toEqual([]);
      return;
    }
    expect(probeFails.length).toBeGreaterThanOrEqual(required(runs.length));
    expect(runs.filter((r) => r.failed.includes(expected.probe!)).length).toBeGreaterThanOrEqual(required(runs.length));
    if (expected.verify) expect(verifyFails.length).toBeGreaterThanOrEqual(required(runs.length));
  });
});
