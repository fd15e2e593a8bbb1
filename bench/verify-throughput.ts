import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CANDIDATE_KEYWORDS } from '../verifier/classify/templates.ts';
import { generateOpenAlgoLog } from './openalgo-log-generator.ts';
import type { Benchmark, BenchTable } from './table.ts';

const BIN = new URL('../dist/bin/stormcheck.js', import.meta.url).pathname;
const GIB = 1 << 30;
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 128;

interface Run {
  seconds: number;
  peakRssMb: number;
  code: number;
}

/**
 * Runs a command, measuring wall time and peak RSS (VmHWM sampled from /proc, the child's own).
 * stdout is a pipe that is read, never /dev/null: GNU grep stops at the first match when its output
 * is /dev/null, which would time nothing.
 */
function measure(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.resume();
    let peakKb = 0;
    const sample = () => {
      try {
        const kb = peakRssKb(child.pid!);
        if (kb > peakKb) peakKb = kb;
      } catch {
        // The process has exited between samples.
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, peakRssMb: peakKb / 1024, code: code ?? -1 });
    });
  });
}

/** The process's peak resident set so far (VmHWM), in kB; read synchronously between timer ticks. */
function peakRssKb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * SPEC §8.1: `stormcheck verify` on a generated ≥ 1 GiB OpenAlgo log against `grep -cE` with the
 * same keywords and `grep -cF Creating`, in the same run, medians of `--runs` (3) runs.
 * `--gib N` changes the size (default 1).
 */
export const verifyThroughput: Benchmark = {
  name: 'verify-throughput',
  description: 'stormcheck verify on a generated OpenAlgo log vs grep',
  async run(args: string[]): Promise<BenchTable> {
    const runs = Math.max(3, Math.floor(option(args, 'runs', 3)));
    const bytes = Math.floor(option(args, 'gib', 1) * GIB);
    const dir = await mkdtemp(path.join(tmpdir(), 'stormcheck-bench-'));
    try {
      const log = path.join(dir, 'openalgo.log');
      process.stderr.write(`bench: generating ${(bytes / GIB).toFixed(2)} GiB log in ${dir}\n`);
      const gen = await generateOpenAlgoLog(log, bytes);
      const report = path.join(dir, 'report.json');
      const pattern = CANDIDATE_KEYWORDS.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
      const commands = {
        'stormcheck verify': [process.execPath, [BIN, 'verify', log, '--reporter', 'json', '--output', report]],
        'grep -cE (same keywords)': ['grep', ['-cE', pattern, log]],
        "grep -cF 'Creating'": ['grep', ['-cF', 'Creating', log]],
      } as const;
      const results: Record<string, Run[]> = {};
      await measure('cat', [log]); // warm the page cache so every command reads from memory
      for (let i = 0; i < runs; i++) {
        for (const [name, [cmd, cargs]] of Object.entries(commands)) {
          process.stderr.write(`bench: run ${i + 1}/${runs}: ${name}\n`);
          (results[name] ??= []).push(await measure(cmd, [...cargs]));
        }
      }
      const verify = results['stormcheck verify'];
      if (verify.some((r) => r.code !== 0 && r.code !== 1)) throw new Error('stormcheck verify failed on the generated log');
      const findings = (JSON.parse(await readFile(report, 'utf8')) as { findings: Array<{ rule: string; severity: string }> }).findings
        .filter((f) => f.severity !== 'info')
        .map((f) => f.rule);
      const mb = gen.bytes / 1e6;
      const base = median(results['grep -cE (same keywords)'].map((r) => r.seconds));
      const rows = Object.entries(results).map(([name, rs]) => {
        const secs = median(rs.map((r) => r.seconds));
        return [name, secs.toFixed(2), (mb / secs).toFixed(0), median(rs.map((r) => r.peakRssMb)).toFixed(0), (secs / base).toFixed(2)];
      });
      const verifySecs = median(verify.map((r) => r.seconds));
      const verifyRss = median(verify.map((r) => r.peakRssMb));
      const ratio = verifySecs / base;
      return {
        title: `verify throughput: ${(gen.bytes / GIB).toFixed(2)} GiB, ${gen.lines} lines, median of ${runs} runs`,
        columns: ['command', 'wall s', 'MB/s', 'peak RSS MB', 'x grep -cE'],
        rows,
        notes: [
          `target: <= ${TARGET_RATIO}x grep -cE wall time: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`,
          `target: peak RSS < ${TARGET_RSS_MB} MB: ${verifyRss < TARGET_RSS_MB ? 'met' : 'MISSED'} (${verifyRss.toFixed(0)} MB)`,
          `findings on the generated log: ${[...new Set(findings)].join(', ') || 'none'}`,
          `grep keywords: ${pattern}`,
          existsSync('/proc/self/status') ? 'peak RSS: VmHWM sampled from /proc/PID/status every 20 ms' : 'peak RSS: unavailable (no /proc)',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
