import { decodeTick, encodeTick, type Tick } from '../smartapi/index.ts';

/**
 * One relayed tick on the Redis channel: the publishing gateway's id (so it skips its own echo), the
 * publish time (pub/sub lag), and the tick in SmartAPI's own binary layout, so the relay reuses the
 * codec that golden bytes already pin down.
 *
 *   u8 idLength | id (UTF-8) | f64 BE publishedAtMs | SmartAPI tick frame
 */
export interface RelayFrame {
  origin: string;
  publishedAtMs: number;
  tick: Tick;
}

export class RelayFrameError extends Error {
  readonly code = 'BAD_RELAY_FRAME';
}

const MAX_ORIGIN_BYTES = 255;

export function encodeRelayFrame(frame: RelayFrame): Buffer {
  const origin = Buffer.from(frame.origin, 'utf8');
  if (origin.length > MAX_ORIGIN_BYTES) throw new RelayFrameError(`gateway id longer than ${MAX_ORIGIN_BYTES} bytes`);
  const head = Buffer.alloc(1 + origin.length + 8);
  head.writeUInt8(origin.length, 0);
  origin.copy(head, 1);
  head.writeDoubleBE(frame.publishedAtMs, 1 + origin.length);
  return Buffer.concat([head, encodeTick(frame.tick)]);
}

export function decodeRelayFrame(buf: Buffer): RelayFrame {
  if (buf.length < 1) throw new RelayFrameError('empty relay frame');
  const idLength = buf.readUInt8(0);
  const tickAt = 1 + idLength + 8;
  if (buf.length < tickAt) throw new RelayFrameError(`relay frame of ${buf.length} bytes is shorter than its header`);
  return {
    origin: buf.toString('utf8', 1, 1 + idLength),
    publishedAtMs: buf.readDoubleBE(1 + idLength),
    tick: decodeTick(buf.subarray(tickAt)),
  };
}
