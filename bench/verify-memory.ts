import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringOption } from './bench-args.ts';
import { BUILT_CLI } from './built-cli.ts';
import { measureProcess, type ProcessRun } from './measure-process.ts';
import { median } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';

const TARGET_RSS_MB = 128;
const TARGET_FILES_SECONDS = 30;
const BASE_TIME = Date.UTC(2025, 10, 11, 9, 45, 0);

/** An OpenAlgo default-format line `ms` after 2025-11-11 09:45:00. */
function line(ms: number, module: string, message: string): string {
  const t = new Date(BASE_TIME + ms).toISOString();
  return `[${t.slice(0, 10)} ${t.slice(11, 19)},${t.slice(20, 23)}] INFO in ${module}: ${message}\n`;
}

async function writeLines(file: string, count: number, lineAt: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  let batch = '';
  for (let i = 0; i < count; i++) {
    batch += lineAt(i);
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
}

/**
 * The hostile inputs of issue 23, generated here (never committed): each names the path verify is
 * given. `scale` shrinks them for a quick look (`--scale 0.1`).
 */
const INPUTS: Array<{ name: string; make: (dir: string, scale: number) => Promise<string> }> = [
  {
    name: '2 M distinct seconds',
    make: async (dir, scale) => {
      const file = path.join(dir, 'seconds.log');
      await writeLines(file, Math.round(2_000_000 * scale), (i) => line(i * 1000, 'angel_adapter', 'Connecting to Angel WebSocket (attempt 1)'));
      return file;
    },
  },
  {
    name: '1 M users',
    make: async (dir, scale) => {
      const file = path.join(dir, 'users.log');
      await writeLines(file, Math.round(1_000_000 * scale), (i) => line(i * 10, 'broker_factory', `Creating NEW angel adapter for user u${i}`));
      return file;
    },
  },
  {
    // One line per user, four rules in turn: each user is a finding of broker-429, rest-rate-limit,
    // stale-feed or forced-reconnect (the gateway's JSON lines name their user).
    name: '1 M users refused, throttled or stalled',
    make: async (dir, scale) => {
      const file = path.join(dir, 'users-refused.log');
      const pino = (i: number, msg: string) => `${JSON.stringify({ level: 40, time: BASE_TIME + i * 10, msg, user: `u${i}`, broker: 'angel' })}\n`;
      await writeLines(file, Math.round(1_000_000 * scale), (i) =>
        [
          () => line(i * 10, 'mock_broker', `Rejected angel handshake for u${i} with 429`),
          () => pino(i, 'Error response: Too many requests'),
          () => pino(i, 'Connection timeout - no messages received'),
          () => pino(i, 'Angel data stall detected - no data for 93.1s (timeout: 90s). Forcing reconnect...'),
        ][i % 4](),
      );
      return file;
    },
  },
  {
    name: '150 k users, each a finding',
    make: async (dir, scale) => {
      const file = path.join(dir, 'users-findings.log');
      await writeLines(file, Math.round(450_000 * scale), (i) => line(i * 10, 'broker_factory', `Creating NEW angel adapter for user u${Math.floor(i / 3)}`));
      return file;
    },
  },
  {
    name: '100 k files',
    make: async (dir, scale) => {
      const folder = path.join(dir, 'files');
      const count = Math.round(100_000 * scale);
      for (let d = 0; d * 1000 < count; d++) {
        await mkdir(path.join(folder, `d${d}`), { recursive: true });
        const writes: Array<Promise<void>> = [];
        for (let i = d * 1000; i < Math.min(count, (d + 1) * 1000); i++) {
          writes.push(writeFile(path.join(folder, `d${d}`, `app${i}.log`), line(i, 'angel_adapter', 'Connected to Angel WebSocket')));
        }
        await Promise.all(writes);
      }
      return folder;
    },
  },
];

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Peak RSS, time and report of each build's runs on one input with one reporter. */
interface BuildRuns {
  label: string;
  cli: string;
  report: string;
  runs: ProcessRun[];
}

/**
 * docs/benchmarks.md#verify-memory: peak RSS and wall time of `stormcheck verify` on each hostile
 * input of issue 23, with the text reporter and the JSON reporter each to a file (which must be
 * written), medians of `--runs` (3); `node -e 0` in the same run is the floor. `--baseline-dist DIR`
 * alternates each run with another build's (its `dist/`), adds its rows, this build's peak RSS as a
 * ratio of it, and whether both wrote the same report bytes.
 */
export const verifyMemory: Benchmark = {
  name: 'verify-memory',
  description: 'stormcheck verify peak RSS on 2 M seconds, 1 M users, 1 M users refused, 150 k users with findings, 100 k files',
  async run(args: string[]): Promise<BenchTable> {
    const runs = Math.max(1, Math.floor(option(args, 'runs', 3)));
    const scale = Math.min(1, option(args, 'scale', 1));
    const baseline = stringOption(args, 'baseline-dist');
    const dir = await mkdtemp(path.join(tmpdir(), 'stormcheck-bench-'));
    const rows: BenchTable['rows'] = [];
    const notes: string[] = [];
    const data: Record<string, ProcessRun[]> = {};
    const dash = baseline ? ['-'] : [];
    let compared = 0;
    let identical = 0;
    try {
      const floor: ProcessRun[] = [];
      for (let i = 0; i < runs; i++) floor.push(await measureProcess(process.execPath, ['-e', '0']));
      rows.push(['node -e 0 (floor)', '-', (median(floor.map((r) => r.seconds))).toFixed(2), median(floor.map((r) => r.peakRssMb)).toFixed(0), 0, '-', '-', ...dash]);
      for (const input of INPUTS) {
        process.stderr.write(`bench: generating ${input.name} (scale ${scale})\n`);
        const target = await input.make(dir, scale);
        for (const reporter of ['text', 'json']) {
          const builds: BuildRuns[] = [
            { label: input.name, cli: BUILT_CLI, report: path.join(dir, `report.${reporter}`), runs: [] },
            ...(baseline ? [{ label: `${input.name} (baseline)`, cli: path.join(baseline, 'bin/stormcheck.js'), report: path.join(dir, `baseline.${reporter}`), runs: [] }] : []),
          ];
          for (let i = 0; i < runs; i++) {
            for (const build of builds) {
              process.stderr.write(`bench: run ${i + 1}/${runs}: ${build.label}, ${reporter}\n`);
              await rm(build.report, { force: true });
              build.runs.push(await measureProcess(process.execPath, [build.cli, 'verify', target, '--reporter', `${reporter}=${build.report}`]));
            }
          }
          const baseRss = builds[1] && median(builds[1].runs.map((r) => r.peakRssMb));
          for (const [b, build] of builds.entries()) {
            data[`${build.label} ${reporter}`] = build.runs;
            const written = await stat(build.report).then((s) => s.size).catch(() => 0);
            const rss = median(build.runs.map((r) => r.peakRssMb));
            const secs = median(build.runs.map((r) => r.seconds));
            const missed: string[] = [];
            if (b === 0 && rss >= TARGET_RSS_MB) missed.push(`peak RSS ${rss.toFixed(0)} MB, over the ${TARGET_RSS_MB} MB target`);
            if (b === 0 && input.name === '100 k files' && secs >= TARGET_FILES_SECONDS * scale) missed.push(`${secs.toFixed(1)} s, over the ${TARGET_FILES_SECONDS} s target`);
            notes.push(...missed.map((m) => `${input.name}, ${reporter}: ${m}`));
            const met = b > 0 ? '-' : missed.length === 0 ? 'met' : 'MISSED';
            const ratio = baseRss === undefined ? [] : [(rss / baseRss).toFixed(2)];
            rows.push([build.label, reporter, secs.toFixed(2), rss.toFixed(0), build.runs.map((r) => r.code).join('/'), written > 0 ? `${(written / 1024).toFixed(0)} KiB` : 'none', met, ...ratio]);
          }
          if (builds[1]) {
            compared++;
            if ((await readFile(builds[0].report)).equals(await readFile(builds[1].report))) identical++;
            else notes.push(`${input.name}, ${reporter}: the report differs from the baseline's`);
          }
        }
        await rm(target, { recursive: true, force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    if (notes.length === 0) notes.push(`every input under ${TARGET_RSS_MB} MB peak RSS; 100 k files under ${TARGET_FILES_SECONDS} s`);
    if (baseline) notes.push(`reports byte-identical to the baseline's: ${identical} of ${compared}`);
    return {
      title: `verify memory (issue 23): median of ${runs} run(s), scale ${scale}${baseline ? `, alternated with ${baseline}` : ''}`,
      columns: ['input', 'reporter', 'seconds', 'peak RSS MB', 'exit', 'report written', 'target', ...(baseline ? ['x baseline RSS'] : [])],
      rows,
      notes,
      data,
    };
  },
};
