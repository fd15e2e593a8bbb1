import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { STORMCHECK_BIN } from './run-stormcheck.ts';

/** A `stormcheck verify … --follow --metrics` process of the built CLI, once its alarm listens. */
export interface AlarmProcess {
  child: ChildProcess;
  /** The alarm's `/metrics` address, as the CLI announced it on stderr. */
  url: string;
  /** The gate's report so far (the CLI writes it on exit). */
  stdout: () => string;
  /** What the CLI has said on stderr so far (the findings it tells as they appear). */
  stderr: () => string;
  /** The exit code, once the process has closed. */
  exited: Promise<number>;
}

/** Starts the built CLI with `args` and resolves once it has said where its alarm listens. */
export async function startAlarmProcess(args: string[]): Promise<AlarmProcess> {
  const child = spawn(process.execPath, [STORMCHECK_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const url = await new Promise<string>((resolve) =>
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /alarm on (http:\/\/\S+\/metrics)/.exec(stderr);
      if (m) resolve(m[1]);
    }),
  );
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Scrapes until `pick` finds what it waits for; the test's own timeout bounds the wait. */
export async function scrapeUntil(url: string, pick: (metrics: string) => boolean): Promise<string> {
  for (;;) {
    const text = await (await fetch(url)).text();
    if (pick(text)) return text;
    await sleep(100);
  }
}
