import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifySource } from '../../verifier/index.ts';
import type { VerifyReport } from '../../verifier/types.ts';

/** The bytes a log file gained between `open` and `read`, verified on their own. */
export type LogWindowResult =
  | { checked: true; bytes: number; report: VerifyReport }
  | { checked: false; bytes: number; reason: string };

const STABLE_MS = 300;
const SETTLE_LIMIT_MS = 3000;

/**
 * Marks a log file's current end so only what a probe caused is verified, however old or busy the log
 * is. A file that shrank meanwhile was rotated or truncated: its new bytes cannot be told apart, so that
 * is reported as not checked rather than guessed.
 */
export class LogWindow {
  private constructor(
    readonly path: string,
    /** The file's size when the window opened: the window's line 1 starts here. */
    readonly start: number,
  ) {}

  static async open(path: string): Promise<LogWindow> {
    return new LogWindow(path, await sizeOf(path));
  }

  /** Waits for writers to flush (size stable for a moment), then verifies the gained bytes. */
  async read(): Promise<LogWindowResult> {
    const end = await settledSize(this.path);
    if (end < this.start) return { checked: false, bytes: 0, reason: `${this.path} shrank during the probe (rotated or truncated)` };
    const bytes = end - this.start;
    if (bytes === 0) return { checked: false, bytes, reason: `${this.path} gained no lines during the probe — is it the deployment's log?` };
    const stream = createReadStream(this.path, { start: this.start, end: end - 1 });
    const report = await verifySource({ name: this.path, stream }, { allowEmpty: true });
    if (report.linesRecognised === 0) {
      return { checked: false, bytes, reason: `none of the ${report.linesRead} lines ${this.path} gained is a recognisable log line` };
    }
    return { checked: true, bytes, report };
  }
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

async function settledSize(path: string): Promise<number> {
  const giveUp = Date.now() + SETTLE_LIMIT_MS;
  let size = await sizeOf(path);
  for (;;) {
    await sleep(STABLE_MS);
    const next = await sizeOf(path);
    if (next === size || Date.now() > giveUp) return next;
    size = next;
  }
}
