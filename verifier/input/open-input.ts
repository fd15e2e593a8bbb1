import { createReadStream, readFileSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import type { Clock } from '../../contract/clock.ts';
import { createGunzip } from 'node:zlib';
import { decodeUtf16, utf16Of } from './decode-utf16.ts';
import { VerifyInputError } from './input-error.ts';
import { STDIN } from './expand-paths.ts';
import { unreadableReason } from './walk-folder.ts';
import { printableName } from '../printable-name.ts';

/** One input to read: a name for evidence and its bytes, chunk by chunk. */
export interface InputSource {
  name: string;
  stream: AsyncIterable<Buffer | string>;
  /** A plain file's open handle, for a reader of its own instead of `stream` (which then is not used). */
  plain?: PlainFile;
  /**
   * Set for a log that grows while it is read (`--follow`): lines held for a partner are let through
   * once it has been quiet a while, by this clock (verifier/input/quiet-watch.ts).
   */
  followed?: { clock: Clock };
}

/** A plain file opened for reading: its descriptor and its size when opened. */
export interface PlainFile {
  name: string;
  fd: number;
  size: number;
  close(): Promise<void>;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Bytes per read of a plain file: large reads keep the per-chunk overhead small against the bytes. */
export const READ_CHUNK = 1 << 20;

/**
 * Opens a file, gunzipping it when its first bytes say gzip and decoding it when they are a UTF-16
 * BOM, whatever its name. Stdin, FIFOs and `/dev/fd/N` are read as streams (they cannot be read twice,
 * so their first chunk is looked at in passing).
 */
export async function openInput(file: string): Promise<InputSource> {
  if (file === STDIN) return { name: 'stdin', stream: decodeStream(process.stdin) };
  let fh: FileHandle;
  let size: number;
  let head: Buffer;
  try {
    // Synchronous for a small file: 100,000 of them spent three quarters of their time waiting on
    // the thread pool for six round trips each; a local stat and a read under 1 MiB take microseconds.
    const info = statSync(file);
    if (!info.isFile()) return { name: file, stream: decodeStream(createReadStream(file, { highWaterMark: READ_CHUNK })) };
    size = info.size;
    if (size < READ_CHUNK) return smallFile(file, size, readFileSync(file));
    fh = await open(file, 'r');
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0).catch(async (err: unknown) => {
      await fh.close();
      throw err;
    });
    head = buf.subarray(0, bytesRead);
  } catch (err) {
    const reason = unreadableReason(err);
    throw new VerifyInputError('UNREADABLE', file, `cannot read ${printableName(file)}: ${reason}`, reason);
  }
  if (isEncoded(head)) {
    await fh.close();
    return { name: file, stream: decode(createReadStream(file, { highWaterMark: READ_CHUNK }), head) };
  }
  // The handle that read the head reads the rest: 100,000 small files pay one open each.
  return { name: file, stream: readChunks(fh, file, size), plain: { name: file, fd: fh.fd, size, close: () => fh.close() } };
}

/** A file read whole at open: one chunk, decoded when its first bytes ask, reported shrunk when short. */
function smallFile(file: string, size: number, bytes: Buffer): InputSource {
  const head = bytes.subarray(0, 2);
  if (isEncoded(head)) return { name: file, stream: decode(Readable.from([bytes]), head) };
  return { name: file, stream: wholeFile(file, size, bytes) };
}

async function* wholeFile(file: string, size: number, bytes: Buffer): AsyncGenerator<Buffer> {
  if (bytes.length > 0) yield bytes;
  if (bytes.length < size) throw shrunkError(file, size, bytes.length);
}

/** Whether a file's first bytes say it must be decoded (gzip, or UTF-16 with a BOM) before its lines can be read. */
export function isEncoded(head: Uint8Array): boolean {
  return isGzip(head) || utf16Of(head) !== undefined;
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** Pipes `raw` through gunzip or a UTF-16 decoder when `head` (its first bytes) asks for one. */
function decode(raw: Readable, head: Uint8Array): AsyncIterable<Buffer> {
  const utf16 = utf16Of(head);
  const through = isGzip(head) ? createGunzip({ chunkSize: 256 * 1024 }) : utf16 ? decodeUtf16(utf16) : undefined;
  if (!through) return raw;
  raw.on('error', (err) => through.destroy(err));
  return raw.pipe(through);
}

/** A stream read once: its first chunk decides the decoding, then it is replayed ahead of the rest. */
async function* decodeStream(raw: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  const it = (raw as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const chunk = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  const replay = new PassThrough();
  const rest = decode(replay, chunk);
  const pump = (async () => {
    replay.write(chunk);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (!replay.write(r.value)) await new Promise((resolve) => replay.once('drain', resolve));
    }
    replay.end();
  })().catch((err: Error) => replay.destroy(err));
  yield* rest;
  await pump;
}

/**
 * Reads a file into two reused buffers, the next read running while the consumer works on the chunk
 * it was given: no allocation per chunk, so a 1 GiB log does not churn the garbage collector, and the
 * copy from the page cache overlaps the scan instead of adding to it. Each chunk is only valid until
 * the consumer asks for the next.
 */
async function* readChunks(fh: FileHandle, file: string, size: number): AsyncGenerator<Buffer> {
  let position = 0;
  // A small file gets small buffers: two MiB of garbage per file made the collector most of the cost.
  const bufferBytes = Math.min(READ_CHUNK, Math.max(size + 1, 16 * 1024));
  const bufs = [Buffer.allocUnsafe(bufferBytes), Buffer.allocUnsafe(bufferBytes)] as const;
  let next = 0;
  const readInto = (buf: Buffer) => {
    const read = fh.read(buf, 0, buf.length, null);
    // It may fail while the consumer still holds the previous chunk; it is awaited (and throws) next.
    read.catch(() => undefined);
    return read;
  };
  let pending = readInto(bufs[next]);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) {
        // Ending before the size it had when opened: truncated under us (copytruncate), so lines went unread.
        if (position < size) throw shrunkError(file, size, position);
        return;
      }
      position += bytesRead;
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

/** The error for a file that ended at `position`, before the `size` it had when opened. */
export function shrunkError(file: string, size: number, position: number): VerifyInputError {
  const reason = `shrank from ${size} to ${position} bytes while it was read (truncated); what it held past ${position} bytes was not judged`;
  return new VerifyInputError('SHRUNK', file, `${printableName(file)} ${reason}`, reason);
}

/** Whether a stream error came from zlib (corrupt or truncated gzip data). */
export function isGzipError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('Z_') || (err as Error)?.message === 'unexpected end of file';
}
