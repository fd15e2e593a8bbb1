import { statSync } from 'node:fs';
import { STDIN, expandedFiles } from './input/expand-paths.ts';

/** Redraws at most this often: a terminal line per read chunk would cost more than the read. */
const REDRAW_EVERY_MS = 200;

/**
 * The progress line of a verify run: share of the input's bytes when their total is known, and the
 * read rate, e.g. `stormcheck verify: 42% of 1074 MB, 310 MB/s`.
 */
export function progressText(bytesRead: number, totalBytes: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? `${((bytesRead / 1e6) / (elapsedMs / 1000)).toFixed(0)} MB/s` : '… MB/s';
  if (totalBytes === undefined || totalBytes <= 0) return `stormcheck verify: ${(bytesRead / 1e6).toFixed(0)} MB read, ${rate}`;
  const percent = Math.min(100, Math.floor((100 * bytesRead) / totalBytes));
  return `stormcheck verify: ${percent}% of ${(totalBytes / 1e6).toFixed(0)} MB, ${rate}`;
}

/**
 * Total bytes the inputs will yield, or undefined when that cannot be known up front: stdin, or a
 * gzip file (verify counts the bytes after gunzipping).
 */
export async function inputBytes(paths: readonly string[]): Promise<number | undefined> {
  let total = 0;
  for await (const file of expandedFiles(paths)) {
    if (file === STDIN || file.endsWith('.gz')) return undefined;
    // Synchronous, as verify reads small files: 100,000 awaited stats cost seconds before the first read.
    const info = statSync(file);
    // A FIFO or device has no size to share out.
    if (!info.isFile()) return undefined;
    total += info.size;
  }
  return total;
}

/** A terminal line redrawn in place as bytes are read, and `clear` to remove it before the report. */
export function progressOnTerminal(
  tty: Pick<NodeJS.WriteStream, 'write' | 'cursorTo' | 'clearLine'>,
  totalBytes: number | undefined,
  now: () => number = Date.now,
): { update: (bytesRead: number) => void; clear: () => void } {
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  return {
    update: (bytesRead) => {
      const t = now();
      if (t - last < REDRAW_EVERY_MS) return;
      last = t;
      tty.cursorTo(0);
      tty.write(progressText(bytesRead, totalBytes, t - started));
      tty.clearLine(1);
    },
    clear: () => {
      tty.cursorTo(0);
      tty.clearLine(0);
    },
  };
}
