import type { Duplex } from 'node:stream';
import type { RandomSource } from '../contract/seeded-random.ts';

/** How the bytes sent to one connection are held back and cut: the latency, bandwidth and fragment faults together. */
export interface ByteShaping {
  latencyMs: number;
  jitterMs: number;
  /** Absent: no cap. */
  bytesPerSecond?: number;
  /** Absent: each write goes out whole. */
  fragmentBytes?: number;
  /** Draws the jitter. */
  random: RandomSource;
}

/** A capped connection's queue is paced in slices this long, so its rate is smooth rather than bursty. */
const PACING_SLICE_MS = 50;

type WriteCallback = (err?: Error | null) => void;
type Write = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;

interface Pending {
  chunk: Buffer;
  readyAt: number;
  cb?: WriteCallback;
}

/**
 * Sits between ws and one connection's socket by taking the socket's `write`: every byte ws sends
 * (frames, pongs, close frames) passes through one FIFO queue, so shaping never reorders or tears a
 * frame. Installed only while a latency, bandwidth or fragment fault applies to the connection, which
 * is what keeps the broker's send path free when no fault is active.
 */
export class ByteShaper {
  private readonly queue: Pending[] = [];
  private queued = 0;
  private lastReadyAt = 0;
  private nextSendAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly originalWrite: Write;

  constructor(
    private readonly socket: Duplex,
    private shaping: ByteShaping,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.originalWrite = socket.write as Write;
    (socket as { write: Write }).write = this.write;
    socket.once('close', this.discard);
  }

  /** Bytes written by ws and not yet passed to the socket. */
  get queuedBytes(): number {
    return this.queued;
  }

  update(shaping: ByteShaping): void {
    this.shaping = shaping;
  }

  /** Sends what is queued at once, in order, and gives the socket its own `write` back. */
  remove(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    (this.socket as { write: Write }).write = this.originalWrite;
    this.socket.off('close', this.discard);
    for (const { chunk, cb } of this.queue.splice(0)) this.originalWrite.call(this.socket, chunk, cb);
    this.queued = 0;
  }

  private readonly write: Write = (chunk, encoding, cb) => {
    const callback = (typeof encoding === 'function' ? encoding : cb) as WriteCallback | undefined;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    const { latencyMs, jitterMs, random } = this.shaping;
    const delay = Math.max(0, latencyMs + (jitterMs > 0 ? (random() * 2 - 1) * jitterMs : 0));
    // Jitter never lets a later write overtake an earlier one: TCP delivers in order.
    const readyAt = Math.max(this.now() + delay, this.lastReadyAt);
    this.lastReadyAt = readyAt;
    this.queue.push({ chunk: bytes, readyAt, cb: callback });
    this.queued += bytes.length;
    if (this.timer === undefined) this.pump();
    return true;
  };

  private readonly discard = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.queued = 0;
  };

  private sliceBytes(): number {
    const { bytesPerSecond, fragmentBytes } = this.shaping;
    const paced = bytesPerSecond === undefined ? Infinity : Math.max(1, Math.floor((bytesPerSecond * PACING_SLICE_MS) / 1000));
    return Math.min(paced, fragmentBytes ?? Infinity);
  }

  private pump = (): void => {
    this.timer = undefined;
    const head = this.queue[0];
    if (!head || this.socket.destroyed) return;
    const wait = Math.max(head.readyAt, this.nextSendAt) - this.now();
    if (wait > 0) {
      this.timer = setTimeout(this.pump, Math.ceil(wait));
      return;
    }
    const piece = head.chunk.subarray(0, this.sliceBytes());
    head.chunk = head.chunk.subarray(piece.length);
    this.queued -= piece.length;
    const done = head.chunk.length === 0;
    if (done) this.queue.shift();
    this.originalWrite.call(this.socket, piece, done ? head.cb : undefined);
    const { bytesPerSecond } = this.shaping;
    if (bytesPerSecond !== undefined) this.nextSendAt = this.now() + (piece.length * 1000) / bytesPerSecond;
    // The next piece waits for a later turn of the event loop, so each piece is its own TCP write.
    if (this.queue.length > 0) this.timer = setTimeout(this.pump, 0);
  };
}
