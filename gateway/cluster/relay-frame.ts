import { decodeTick, encodeTick, type Tick } from '../smartapi/index.ts';

/**
 * One relay message on the Redis channel: the ticks the owner received in one turn of its event loop,
 * with the publishing gateway's id (so it skips its own echo) and the publish time (pub/sub lag). Ticks
 * keep SmartAPI's own binary layout, so the relay reuses the codec that golden bytes already pin down.
 * Batching turns thousands of PUBLISHes a second into a few hundred.
 *
 *   u8 idLength | id (UTF-8) | f64 BE publishedAtMs | { u16 BE tickLength | SmartAPI tick frame }*
 */
export interface RelayBatch {
  origin: string;
  publishedAtMs: number;
  ticks: Tick[];
}

export class RelayFrameError extends Error {
  readonly code = 'BAD_RELAY_FRAME';
}

const MAX_ORIGIN_BYTES = 255;
const MAX_TICK_BYTES = 0xffff;

export function encodeRelayBatch(batch: RelayBatch): Buffer {
  const origin = Buffer.from(batch.origin, 'utf8');
  if (origin.length > MAX_ORIGIN_BYTES) throw new RelayFrameError(`gateway id longer than ${MAX_ORIGIN_BYTES} bytes`);
  const head = Buffer.alloc(1 + origin.length + 8);
  head.writeUInt8(origin.length, 0);
  origin.copy(head, 1);
  head.writeDoubleBE(batch.publishedAtMs, 1 + origin.length);
  const parts: Buffer[] = [head];
  for (const tick of batch.ticks) {
    const frame = encodeTick(tick);
    if (frame.length > MAX_TICK_BYTES) throw new RelayFrameError(`tick frame of ${frame.length} bytes does not fit a relay message`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(frame.length, 0);
    parts.push(length, frame);
  }
  return Buffer.concat(parts);
}

/** Throws RelayFrameError for a header or length that does not fit; a bad tick frame throws the codec's error. */
export function decodeRelayBatch(buf: Buffer): RelayBatch {
  if (buf.length < 1) throw new RelayFrameError('empty relay message');
  const idLength = buf.readUInt8(0);
  let at = 1 + idLength + 8;
  if (buf.length < at) throw new RelayFrameError(`relay message of ${buf.length} bytes is shorter than its header`);
  const ticks: Tick[] = [];
  while (at < buf.length) {
    if (at + 2 > buf.length) throw new RelayFrameError(`relay message truncated at byte ${at}`);
    const length = buf.readUInt16BE(at);
    at += 2;
    if (at + length > buf.length) throw new RelayFrameError(`tick of ${length} bytes runs past the end of the relay message`);
    ticks.push(decodeTick(buf.subarray(at, at + length)));
    at += length;
  }
  return { origin: buf.toString('utf8', 1, 1 + idLength), publishedAtMs: buf.readDoubleBE(1 + idLength), ticks };
}
