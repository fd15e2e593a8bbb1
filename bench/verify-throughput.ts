import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { CANDIDATE_KEYWORDS } from '../verifier/classify/templates.ts';
import { PASS_THREAD_ENV } from '../verifier/input/region-pass.ts';
import { generateOpenAlgoLog } from './openalgo-log-generator.ts';
import { alternatedRuns, measureProcess } from './measure-process.ts';
import { median } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';
import { BUILT_CLI } from './built-cli.ts';
import { stringOption } from './bench-args.ts';

const GIB = 1 << 30;
// Issue 23 item 6: within 1.25x grep -cE on a quiet machine (it was 2 before).
const TARGET_RATIO = 1.25;
/** The baseline issue 23 names; the table's `x grep -cE` column is against the verifier's own keywords. */
const ISSUE_PATTERN = 'Creating|attempt 1|429|Connection Limit';
/**
 * The floor for any reader of the file: fixed 1 MiB `fs.readSync` calls and nothing else. Plain
 * JavaScript on `node -e`, so it pays Node's start-up like verify does and no tsx.
 */
const READ_LOOP = `const fs=require('node:fs');const fd=fs.openSync(process.argv[1],'r');const b=Buffer.allocUnsafe(1<<20);let n=0,r;while((r=fs.readSync(fd,b,0,b.length,null))>0)n+=r;console.log(n)`;
const TARGET_RSS_MB = 128;

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * docs/benchmarks.md#verify-throughput and issue 14: `stormcheck verify` on a generated ≥ 1 GiB OpenAlgo log
 * against `grep -cE` with the same keywords, `grep -cF Creating` and a plain read loop, in the same run,
 * medians of `--runs` (5) alternated runs, with the same build's verify on one thread beside it.
 * `--gib N` changes the size (default 1); `--log PATH` keeps the log at PATH and reuses it when it is
 * there (generating 1 GiB takes longer than the runs);
 * `--baseline-dist DIR` adds the verify of another build (its `dist/`) to the alternation.
 */
export const verifyThroughput: Benchmark = {
  name: 'verify-throughput',
  description: 'stormcheck verify on a generated OpenAlgo log vs grep',
  async run(args: string[]): Promise<BenchTable> {
    const runs = Math.max(3, Math.floor(option(args, 'runs', 5)));
    const bytes = Math.floor(option(args, 'gib', 1) * GIB);
    const kept = stringOption(args, 'log');
    const baseline = stringOption(args, 'baseline-dist');
    const dir = await mkdtemp(path.join(tmpdir(), 'stormcheck-bench-'));
    try {
      const log = kept ?? path.join(dir, 'openalgo.log');
      if (kept && existsSync(kept)) process.stderr.write(`bench: reusing ${kept}\n`);
      else {
        process.stderr.write(`bench: generating ${(bytes / GIB).toFixed(2)} GiB log at ${log}\n`);
        await generateOpenAlgoLog(log, bytes);
      }
      const logBytes = (await stat(log)).size;
      const report = path.join(dir, 'report.json');
      const pattern = CANDIDATE_KEYWORDS.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
      const commands = {
        'stormcheck verify': [process.execPath, [BUILT_CLI, 'verify', log, '--reporter', 'json', '--output', report]],
        // What the keyword pass's own thread gains, against the same build reading on one thread.
        'verify, pass thread off': ['env', [`${PASS_THREAD_ENV}=off`, process.execPath, BUILT_CLI, 'verify', log, '--reporter', 'json', '--output', path.join(dir, 'one-thread.json')]],
        ...(baseline
          ? { [`verify, baseline ${baseline}`]: [process.execPath, [path.join(baseline, 'bin/stormcheck.js'), 'verify', log, '--reporter', 'json', '--output', path.join(dir, 'baseline.json')]] }
          : {}),
        'grep -cE (same keywords)': ['grep', ['-cE', pattern, log]],
        'grep -cE (issue 23: 4 keywords)': ['grep', ['-cE', ISSUE_PATTERN, log]],
        "grep -cF 'Creating'": ['grep', ['-cF', 'Creating', log]],
        'fs.readSync loop (1 MiB)': [process.execPath, ['-e', READ_LOOP, log]],
      } as const;
      await measureProcess('cat', [log]); // warm the page cache so every command reads from memory
      const loadBefore = os.loadavg();
      const results = await alternatedRuns(commands, runs, (name, i) => process.stderr.write(`bench: run ${i + 1}/${runs}: ${name}\n`));
      const loadAfter = os.loadavg();
      const verify = results['stormcheck verify']!;
      if (verify.some((r) => r.code !== 0 && r.code !== 1)) throw new Error('stormcheck verify failed on the generated log');
      const judged = JSON.parse(await readFile(report, 'utf8')) as { linesRead: number; findings: Array<{ rule: string; severity: string }> };
      const findings = judged.findings.filter((f) => f.severity !== 'info').map((f) => f.rule);
      const mb = logBytes / 1e6;
      const base = median(results['grep -cE (same keywords)']!.map((r) => r.seconds));
      const readLoop = median(results['fs.readSync loop (1 MiB)']!.map((r) => r.seconds));
      const rows = Object.entries(results).map(([name, rs]) => {
        const secs = median(rs.map((r) => r.seconds));
        return [name, secs.toFixed(2), (mb / secs).toFixed(0), median(rs.map((r) => r.peakRssMb)).toFixed(0), (secs / base).toFixed(2), (secs / readLoop).toFixed(2)];
      });
      const verifySecs = median(verify.map((r) => r.seconds));
      const verifyRss = median(verify.map((r) => r.peakRssMb));
      const ratio = verifySecs / median(results['grep -cE (issue 23: 4 keywords)']!.map((r) => r.seconds));
      return {
        title: `verify throughput: ${(logBytes / GIB).toFixed(2)} GiB, ${judged.linesRead} lines, median of ${runs} alternated runs`,
        columns: ['command', 'wall s', 'MB/s', 'peak RSS MB', 'x grep -cE', 'x read loop'],
        rows,
        notes: [
          `target: <= ${TARGET_RATIO}x grep -cE '${ISSUE_PATTERN}' wall time: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`,
          `verify vs the plain read loop: ${(verifySecs / readLoop).toFixed(2)}x (what is left is scanning and judging)`,
          `target: peak RSS < ${TARGET_RSS_MB} MB: ${verifyRss < TARGET_RSS_MB ? 'met' : 'MISSED'} (${verifyRss.toFixed(0)} MB)`,
          `load average (1, 5, 15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; the ratios mean most on a quiet machine`,
          `findings on the generated log: ${[...new Set(findings)].join(', ') || 'none'}`,
          `grep keywords: ${pattern}`,
          existsSync('/proc/self/status') ? 'peak RSS: VmHWM sampled from /proc/PID/status every 20 ms' : 'peak RSS: unavailable (no /proc)',
        ],
        data: results,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
