import { decodeTick, type Tick } from '../../protocol/smartapi/index.ts';

/**
 * One relay message on the Redis channel: the ticks the owner received in one turn of its event loop,
 * with the publishing gateway's id (so it skips its own echo) and the publish time (pub/sub lag). Ticks
 * are the broker's SmartAPI frames as the owner received them: the owner copies bytes instead of
 * encoding every tick again before its own fan-out (encoding a burst of 1000 ticks took 1–7 ms, which
 * every client of the owner waited for), and the other gateways decode them with the codec that golden
 * bytes already pin down. Batching turns thousands of PUBLISHes a second into a few hundred.
 *
 *   u8 idLength | id (UTF-8) | f64 BE publishedAtMs | { u16 BE tickLength | SmartAPI tick frame }*
 */
export interface RelayBatch {
  origin: string;
  publishedAtMs: number;
  ticks: Tick[];
  /** The SmartAPI frame of each tick, in the same order. */
  frames: Buffer[];
}

export class RelayFrameError extends Error {
  readonly code = 'BAD_RELAY_FRAME';
}

const MAX_ORIGIN_BYTES = 255;
const MAX_TICK_BYTES = 0xffff;

/** One allocation for the whole message; a frame too long for its u16 length fails the batch. */
export function encodeRelayBatch(batch: Pick<RelayBatch, 'origin' | 'publishedAtMs' | 'frames'>): Buffer {
  const origin = Buffer.from(batch.origin, 'utf8');
  if (origin.length > MAX_ORIGIN_BYTES) throw new RelayFrameError(`gateway id longer than ${MAX_ORIGIN_BYTES} bytes`);
  let size = 1 + origin.length + 8;
  for (const frame of batch.frames) {
    if (frame.length > MAX_TICK_BYTES) throw new RelayFrameError(`tick frame of ${frame.length} bytes does not fit a relay message`);
    size += 2 + frame.length;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt8(origin.length, 0);
  origin.copy(out, 1);
  let at = out.writeDoubleBE(batch.publishedAtMs, 1 + origin.length);
  for (const frame of batch.frames) {
    at = out.writeUInt16BE(frame.length, at);
    at += frame.copy(out, at);
  }
  return out;
}

/** Throws RelayFrameError for a header or length that does not fit; a bad tick frame throws the codec's error. */
export function decodeRelayBatch(buf: Buffer): RelayBatch {
  if (buf.length < 1) throw new RelayFrameError('empty relay message');
  const idLength = buf.readUInt8(0);
  let at = 1 + idLength + 8;
  if (buf.length < at) throw new RelayFrameError(`relay message of ${buf.length} bytes is shorter than its header`);
  const ticks: Tick[] = [];
  const frames: Buffer[] = [];
  while (at < buf.length) {
    if (at + 2 > buf.length) throw new RelayFrameError(`relay message truncated at byte ${at}`);
    const length = buf.readUInt16BE(at);
    at += 2;
    if (at + length > buf.length) throw new RelayFrameError(`tick of ${length} bytes runs past the end of the relay message`);
    const frame = buf.subarray(at, at + length);
    ticks.push(decodeTick(frame));
    frames.push(frame);
    at += length;
  }
  return { origin: buf.toString('utf8', 1, 1 + idLength), publishedAtMs: buf.readDoubleBE(1 + idLength), ticks, frames };
}
