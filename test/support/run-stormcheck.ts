import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, onTestFinished } from 'vitest';

/** The built CLI, exactly what `npm install` puts on PATH; test/support/build-cli.ts keeps it current. */
export const STORMCHECK_BIN = new URL('../../dist/bin/stormcheck.js', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts the real CLI and leaves it running, for a test that signals it or waits on what it prints; it
 * is killed when the test ends, or after `timeoutMs`. Call it inside a test.
 */
export function startStormcheck(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore'; timeoutMs?: number } = {}) {
  const child = spawn(process.execPath, [STORMCHECK_BIN, ...args], {
    env: opts.env,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
  }) as ChildProcessWithoutNullStreams;
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  onTestFinished(() => void child.kill('SIGKILL'));
  return { child, out, exited };
}

/**
 * Runs the real CLI as a user would, optionally feeding stdin, optionally as another user (`uid`,
 * `gid`: the tests run as root, whom no permission stops); resolves whatever the exit code. A CLI
 * still running after `killAfterMs` (a server a mistake failed to stop) is killed, so no test leaves one.
 */
export function stormcheck(
  args: string[],
  opts: { stdin?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; killAfterMs?: number; uid?: number; gid?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STORMCHECK_BIN, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      uid: opts.uid,
      gid: opts.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.killAfterMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A temporary folder for one test's log files, removed by `cleanup`. */
export interface TempDir {
  dir: string;
  file: (name: string, body: string | Buffer) => Promise<string>;
  cleanup: () => Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stormcheck-verify-'));
  return {
    dir,
    file: async (name, body) => {
      const p = path.join(dir, name);
      await writeFile(p, body);
      return p;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** An OpenAlgo default-format line at `ms` milliseconds after 2025-11-11 09:45:00. */
export function oa(ms: number, message: string, level = 'INFO', module = 'angel_adapter'): string {
  const t = new Date(Date.UTC(2025, 10, 11, 9, 45, 0) + ms).toISOString();
  return `[${t.slice(0, 10)} ${t.slice(11, 19)},${t.slice(20, 23)}] ${level} in ${module}: ${message}`;
}

/** A fresh temporary folder for each test of the calling file, removed after it. */
export function tempDirPerTest(): Omit<TempDir, 'cleanup'> {
  let current: TempDir | undefined;
  beforeEach(async () => {
    current = await tempDir();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  const now = (): TempDir => {
    if (!current) throw new Error('tempDirPerTest(): the folder exists only while a test runs');
    return current;
  };
  return {
    get dir() {
      return now().dir;
    },
    file: (name, body) => now().file(name, body),
  };
}
