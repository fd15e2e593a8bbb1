import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessRun {
  seconds: number;
  peakRssMb: number;
  code: number;
}

/**
 * Runs a command, measuring wall time and peak RSS (VmHWM sampled from /proc, the child's own).
 * stdout is a pipe that is read, never /dev/null: GNU grep stops at the first match when its output
 * is /dev/null, which would time nothing.
 */
export function measureProcess(cmd: string, args: readonly string[]): Promise<ProcessRun> {
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

/**
 * Runs each command `runs` times, alternating between them so a change in machine load falls on
 * every command alike; returns every run per command name.
 */
export async function alternatedRuns(
  commands: Record<string, readonly [string, readonly string[]]>,
  runs: number,
  onRun: (name: string, index: number) => void = () => {},
): Promise<Record<string, ProcessRun[]>> {
  const results: Record<string, ProcessRun[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, [cmd, args]] of Object.entries(commands)) {
      onRun(name, i);
      (results[name] ??= []).push(await measureProcess(cmd, args));
    }
  }
  return results;
}
