import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import type { Rotation } from '../types.ts';
import { VerifyInputError } from './input-error.ts';

const READ_BYTES = 1 << 20;
// Bytes just before the read offset, compared on every poll: a file truncated and regrown past the
// offset within one poll keeps its size growing, and only its content shows the change.
const TAIL_BYTES = 256;

export interface FollowOptions {
  pollMs?: number;
  /** Called when the file was replaced or truncated (log rotation). */
  onRotation?: (rotation: Rotation) => void;
  /** Called once, when what the file held at the start has been read. */
  onCaughtUp?: (bytes: number) => void;
  /** Called once when the file does not exist yet: it is waited for, as `tail -F` does. */
  onWaiting?: () => void;
}

/**
 * Streams a growing file like `tail -F`: waits for it to exist, then everything already in it, then whatever is appended, polling
 * every `pollMs`, until `signal` aborts, and then whatever was written up to that moment. A file
 * renamed or deleted and recreated is read to its end, then the new file from its start; a file
 * truncated (copytruncate), even if it regrew past the offset read, is read again from its start.
 */
export function followFile(file: string, signal: AbortSignal, options: FollowOptions = {}): Readable {
  return Readable.from(follow(file, signal, options.pollMs ?? 250, options), { objectMode: false });
}

async function* follow(file: string, signal: AbortSignal, pollMs: number, on: FollowOptions): AsyncGenerator<Buffer> {
  const onRotation = on.onRotation ?? (() => undefined);
  let caughtUp = on.onCaughtUp;
  const first = await openWhenThere(file, signal, pollMs, on.onWaiting);
  if (!first) return;
  let fh = first;
  let ino = (await fh.stat()).ino;
  let position = 0;
  let read = 0;
  let tail = Buffer.alloc(0);
  try {
    for (;;) {
      const { size } = await fh.stat();
      if (size < position || (position > 0 && !(await endsWith(fh, position, tail)))) {
        // Lines written between the last poll and the truncation went to the rotated copy only.
        onRotation({ kind: 'truncated', afterBytes: read, mayHaveMissedLines: true });
        position = 0;
        tail = Buffer.alloc(0);
        continue;
      }
      if (size > position) {
        const buf = Buffer.alloc(Math.min(READ_BYTES, size - position));
        const { bytesRead } = await fh.read(buf, 0, buf.length, position);
        position += bytesRead;
        read += bytesRead;
        const chunk = buf.subarray(0, bytesRead);
        tail = Buffer.from(Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES));
        if (bytesRead > 0) yield chunk;
        continue;
      }
      // Caught up with this file: the name may now stand for a new one (renamed or deleted, recreated).
      const now = await stat(file).catch(() => undefined);
      if (now !== undefined && now.ino !== ino) {
        await fh.close();
        fh = await openFollowed(file);
        ino = (await fh.stat()).ino;
        // The old file was read to its end first, so only a second rotation within one poll loses lines.
        onRotation({ kind: 'replaced', afterBytes: read, mayHaveMissedLines: false });
        position = 0;
        tail = Buffer.alloc(0);
        continue;
      }
      caughtUp?.(read);
      caughtUp = undefined;
      // Caught up: stop if asked to (nothing written before the stop is lost), else wait for more.
      if (signal.aborted) break;
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}

/** Opens the file, waiting (polling) while it does not exist; undefined when stopped before it appeared. */
async function openWhenThere(file: string, signal: AbortSignal, pollMs: number, onWaiting?: () => void): Promise<FileHandle | undefined> {
  let told = false;
  for (;;) {
    try {
      return await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return openFollowed(file);
    }
    if (!told) onWaiting?.();
    told = true;
    if (signal.aborted) return undefined;
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
}

async function openFollowed(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (err) {
    throw new VerifyInputError('NOT_FOUND', file, `cannot follow ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Whether the bytes of `fh` just before `position` are still `tail`. */
async function endsWith(fh: FileHandle, position: number, tail: Buffer): Promise<boolean> {
  if (tail.length === 0) return true;
  const now = Buffer.alloc(tail.length);
  const { bytesRead } = await fh.read(now, 0, tail.length, position - tail.length);
  return bytesRead === tail.length && now.equals(tail);
}
