import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { VerifyInputError } from './input-error.ts';

const READ_BYTES = 1 << 20;

/**
 * Streams a growing file: everything already in it, then whatever is appended, polling every `pollMs`,
 * until `signal` aborts, and then whatever was written up to that moment. A file that shrinks
 * (truncated or replaced by rotation) is read again from its start.
 */
export function followFile(file: string, signal: AbortSignal, pollMs = 250): Readable {
  return Readable.from(follow(file, signal, pollMs), { objectMode: false });
}

async function* follow(file: string, signal: AbortSignal, pollMs: number): AsyncGenerator<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new VerifyInputError('NOT_FOUND', file, `cannot follow ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    let position = 0;
    for (;;) {
      const { size } = await fh.stat();
      if (size < position) position = 0;
      if (size > position) {
        const buf = Buffer.alloc(Math.min(READ_BYTES, size - position));
        const { bytesRead } = await fh.read(buf, 0, buf.length, position);
        position += bytesRead;
        if (bytesRead > 0) yield buf.subarray(0, bytesRead);
        continue;
      }
      // Caught up: stop if asked to (nothing written before the stop is lost), else wait for more.
      if (signal.aborted) break;
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}
