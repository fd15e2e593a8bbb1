import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { VerifyInputError } from './input-error.ts';
import { STDIN } from './expand-paths.ts';

/** One input to read: a name for evidence and its bytes, chunk by chunk. */
export interface InputSource {
  name: string;
  stream: AsyncIterable<Buffer | string>;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Bytes per read of a plain file: large reads keep the per-chunk overhead small against the bytes. */
export const READ_CHUNK = 1 << 20;

/** Opens a file (gunzipping it when its first bytes say gzip, whatever its name) or stdin. */
export async function openInput(file: string): Promise<InputSource> {
  if (file === STDIN) return { name: 'stdin', stream: process.stdin };
  let gzip = false;
  try {
    const fh = await open(file, 'r');
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      gzip = bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new VerifyInputError('UNREADABLE', file, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!gzip) return { name: file, stream: readChunks(file) };
  const raw = createReadStream(file, { highWaterMark: READ_CHUNK });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on('error', (err) => gunzip.destroy(err));
  return { name: file, stream: raw.pipe(gunzip) };
}

/**
 * Reads a file into two reused buffers, the next read running while the consumer works on the chunk
 * it was given: no allocation per chunk, so a 1 GiB log does not churn the garbage collector, and the
 * copy from the page cache overlaps the scan instead of adding to it. Each chunk is only valid until
 * the consumer asks for the next.
 */
async function* readChunks(file: string): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
  const bufs = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)] as const;
  let next = 0;
  const readInto = (buf: Buffer) => {
    const read = fh.read(buf, 0, READ_CHUNK, null);
    // It may fail while the consumer still holds the previous chunk; it is awaited (and throws) next.
    read.catch(() => undefined);
    return read;
  };
  let pending = readInto(bufs[next]);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const chunk = bufs[next].subarray(0, bytesRead);
      next ^= 1;
      pending = readInto(bufs[next]);
      yield chunk;
    }
  } finally {
    // The handle must outlive a read still in flight when the consumer stops early.
    await pending.catch(() => undefined);
    await fh.close();
  }
}

/** Whether a stream error came from zlib (corrupt or truncated gzip data). */
export function isGzipError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('Z_') || (err as Error)?.message === 'unexpected end of file';
}
