import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes a reporter's chunks to a file as they are produced (`append` for the job summary, which
 * GitHub expects appended to), waiting for the disk rather than buffering the document.
 */
export async function writeChunksToFile(file: string, chunks: Iterable<string>, append = false): Promise<void> {
  await pipeline(Readable.from(chunks), createWriteStream(file, { flags: append ? 'a' : 'w' }));
}

/**
 * Writes a reporter's chunks to a stream left open for what follows (stdout); when its reader is
 * slower than the reporter, waits for `drain` before the next chunk. A reader gone (EPIPE: `| head`)
 * ends the writing, not the run.
 */
export async function writeChunksToStream(out: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  try {
    for (const chunk of chunks) {
      if ((out as Writable).destroyed) return;
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
  }
}
