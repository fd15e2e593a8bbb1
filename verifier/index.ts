import { systemClock } from '../contract/clock.ts';
import { expandedFiles, expandPaths, STDIN, type ExpandedEntry } from './input/expand-paths.ts';
import { newestLineTime } from './input/newest-line.ts';
import { isRelative, resolveBounds } from './time-bounds.ts';
import { followFile } from './input/follow-file.ts';
import { VerifyInputError } from './input/input-error.ts';
import { openInput, type InputSource } from './input/open-input.ts';
import type { Rotation, VerifyOptions, VerifyReport } from './types.ts';
import { DEFAULT_OPTIONS, verifyInputs, type PlannedInput, type UnreadableFound } from './verify.ts';

export type * from './types.ts';
export { VerifyInputError, type InputErrorCode } from './input/input-error.ts';
export { DEFAULT_OPTIONS, errorReport, failsAt } from './verify.ts';
export { parseDuration } from '../contract/duration.ts';

/**
 * Verifies log files, folders (recursive), globs, `.gz` rotations, FIFOs or `-` (stdin), each input
 * with its rotations judged on its own unless `options.merge`. Rejects with {@link VerifyInputError}
 * (naming the file) when a named input cannot be read or holds no recognisable log line.
 */
export async function verifyPaths(paths: string[], options: Partial<VerifyOptions> = {}): Promise<VerifyReport> {
  if (paths.length === 0) throw new VerifyInputError('NO_INPUT', '', 'no input: name log files, folders, globs or - for stdin');
  options = await withAbsoluteWindow(paths, options);
  return verifyInputs(planned(expandPaths(paths)), { ...DEFAULT_OPTIONS, ...options });
}

/** The expanded paths as inputs to read, each opened only when its turn comes. */
async function* planned(entries: AsyncIterable<ExpandedEntry>): AsyncGenerator<PlannedInput | UnreadableFound> {
  for await (const entry of entries) {
    if ('unreadable' in entry) yield entry;
    else yield { group: entry.group, explicit: entry.explicit, endsGroup: entry.endsGroup, open: () => openInput(entry.path) };
  }
}

/**
 * Turns `--since 2h` into a time, counting back from the newest line of the files (stdin cannot be
 * looked ahead in): the paths are walked once for it before the run walks them again to read.
 */
async function withAbsoluteWindow(paths: readonly string[], options: Partial<VerifyOptions>): Promise<Partial<VerifyOptions>> {
  if (!isRelative(options.since) && !isRelative(options.until)) return options;
  if (paths.includes(STDIN)) {
    throw new VerifyInputError('NO_INPUT', STDIN, '--since/--until as a duration count back from the newest line, which stdin cannot show ahead; give an ISO time');
  }
  const newest = await newestLineTime(expandedFiles(paths), options.format ?? DEFAULT_OPTIONS.format, new Date().getUTCFullYear());
  // Nothing recognisable to count back from: the run fails closed on that, not on the window.
  if (newest === undefined) return { ...options, since: undefined, until: undefined };
  const { since, until } = resolveBounds(options.since, options.until, newest);
  return { ...options, since: since === undefined ? undefined : { at: since }, until: until === undefined ? undefined : { at: until } };
}

/** Verifies one already-open stream (a child process's stdout, a socket, a captured log). */
export async function verifySource(
  source: { name: string; stream: NodeJS.ReadableStream },
  options: Partial<VerifyOptions> = {},
): Promise<VerifyReport> {
  const input: InputSource = source;
  return verifyInputs([{ group: source.name, explicit: true, endsGroup: true, open: async () => input }], { ...DEFAULT_OPTIONS, ...options });
}

/**
 * Follows one growing file like `tail -F` (waiting for it when it does not exist yet), or `-` (stdin)
 * until it ends, until `signal` aborts (e.g. on SIGINT), then judges what was
 * read; the rotations seen are listed with the input, and each is passed to `on.onRotation` as it happens.
 */
export async function verifyFollow(
  file: string,
  signal: AbortSignal,
  options: Partial<VerifyOptions> = {},
  on: { onRotation?: (rotation: Rotation) => void; onCaughtUp?: (bytes: number) => void; onWaiting?: () => void; onData?: (chunk: Buffer) => void } = {},
): Promise<VerifyReport> {
  const rotations: Rotation[] = [];
  const stream = file === STDIN ? untilAborted(process.stdin, signal) : followFile(file, signal, {
    onCaughtUp: on.onCaughtUp,
    onWaiting: on.onWaiting,
    onRotation: (r) => {
      rotations.push(r);
      on.onRotation?.(r);
    },
  });
  const onData = on.onData;
  const read = onData ? tap(stream, onData) : stream;
  const name = file === STDIN ? 'stdin' : file;
  const report = await verifyInputs([{ group: name, explicit: true, endsGroup: true, open: async () => ({ name, stream: read, followed: { clock: systemClock } }) }], {
    ...DEFAULT_OPTIONS,
    ...options,
  });
  report.inputs[0].rotations = rotations;
  return report;
}

/** The chunks of `stream`, each shown to `see` on its way (the alarm counts lines and bytes). */
async function* tap(stream: AsyncIterable<Buffer>, see: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of stream) {
    see(chunk);
    yield chunk;
  }
}

/** A stream such as `docker logs -f` on stdin, read until it ends or `signal` aborts (Ctrl-C). */
async function* untilAborted(stream: NodeJS.ReadStream, signal: AbortSignal): AsyncGenerator<Buffer> {
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const stopped = new Promise<IteratorResult<Buffer>>((resolve) => signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true }));
  try {
    for (;;) {
      const next = await Promise.race([chunks.next(), stopped]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // A pending read would hold the process open after the report.
    stream.destroy();
  }
}
