import { on } from 'node:events';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { LineScanner } from './line-scanner.ts';
import { READ_CHUNK, shrunkError, type PlainFile } from './open-input.ts';
import type { PassJob, PassMessage } from './region-pass-messages.ts';

/** Below this size a file is read on the main thread: starting the pass thread costs more than it saves (docs/benchmarks.md#verify-throughput). */
export const PASS_THREAD_MIN_BYTES = 256 << 20;
/** Chunks in flight between the threads: enough for the pass thread to stay a region or two ahead. */
const BUFFERS = 4;
/**
 * Internal, for tests and measurements: `on` runs the pass on its thread for a file of any size, `off`
 * never (docs/verify.md#large-files-on-two-threads).
 */
export const PASS_THREAD_ENV = 'STORMCHECK_PASS_THREAD';

/**
 * The pass thread's bundled entry (tools/bundle-cli.ts), one file to load instead of its modules one by
 * one. Run from TypeScript sources there is none to start (a worker would not load `.ts`), so those
 * runs read on the main thread.
 */
const ENTRY = import.meta.url.endsWith('.js') ? new URL('../../bin/region-pass-worker.js', import.meta.url) : undefined;

/** Whether a plain file of `size` bytes is read with the pass on its own thread. */
export function passThreadFor(size: number): boolean {
  const setting = process.env[PASS_THREAD_ENV];
  if (!ENTRY || setting === 'off') return false;
  // On one core the two threads would only take turns, and pay the second one's start-up.
  if (setting !== 'on' && availableParallelism() < 2) return false;
  return setting === 'on' || size >= PASS_THREAD_MIN_BYTES;
}

/**
 * Reads `file` with reading and the keyword pass on a second thread, one to {@link BUFFERS} chunks
 * ahead; this thread walks each region's results into `scanner` as {@link LineScanner.push} would.
 * Throws a `SHRUNK` input error when the file ends before the size it had when opened.
 */
export async function readOnPassThread(
  file: PlainFile,
  scanner: LineScanner,
  keywords: readonly string[],
  headsFromBytes: boolean,
  onBytes: ((n: number) => void) | undefined,
): Promise<void> {
  const signal = new SharedArrayBuffer(4);
  const counter = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  const job: PassJob = { fd: file.fd, size: file.size, keywords, headsFromBytes, chunkBytes: READ_CHUNK, buffers: BUFFERS, signal, returns: port2 };
  const worker = new Worker(ENTRY!, { workerData: job, transferList: [port2] });
  try {
    for await (const [message] of on(worker, 'message')) {
      const m = message as PassMessage;
      scanner.counted(m.bytes, m.cuts);
      if (m.bytes > 0) onBytes?.(m.bytes);
      if (m.done) {
        if (m.shrunkAt !== undefined) throw shrunkError(file.name, file.size, m.shrunkAt);
        return;
      }
      scanner.passRegion(Buffer.from(m.buf), m.start, m.end, m.scan);
      if (m.pooled) {
        port1.postMessage(m.buf, [m.buf]);
        Atomics.add(counter, 0, 1);
        Atomics.notify(counter, 0);
      }
    }
  } finally {
    port1.close();
    await worker.terminate();
  }
}
