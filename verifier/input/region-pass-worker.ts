import { readSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { MAX_LINE_BYTES } from './max-line.ts';
import { RegionSplitter } from './region-splitter.ts';
import { SimdKeywordFinder } from './simd-keyword-finder.ts';
import type { PassJob, PassMessage, RegionMessage } from './region-pass-messages.ts';

/*
 * Reads a plain file and runs the keyword pass over its regions ahead of the main thread, which only
 * walks the results (verifier/input/region-pass.ts). Chunk buffers travel by transfer and come back on
 * `returns` once read; with none left this thread sleeps on `signal` until one does.
 */
const job = workerData as PassJob;
const finder = new SimdKeywordFinder(job.keywords);
const signal = new Int32Array(job.signal);
const returns: MessagePort = job.returns;
const pool: Buffer[] = Array.from({ length: job.buffers }, () => Buffer.allocUnsafeSlow(job.chunkBytes));
let bytes = 0;
let cuts = 0;
let out: RegionMessage[] = [];
let transfer: ArrayBuffer[] = [];
let chunk: Buffer | undefined;

const splitter = new RegionSplitter({
  region(buf, start, end) {
    const scan = finder.scanLines(buf, start, end, job.headsFromBytes, MAX_LINE_BYTES);
    const hits = scan.hits.slice();
    const judge = scan.judge.slice();
    transfer.push(hits.buffer, judge.buffer);
    // A carried line is a buffer of its own, sent as a copy; a chunk goes back to the pool once read.
    const own = buf === chunk;
    out.push({ bytes, cuts, buf: own ? (buf.buffer as ArrayBuffer) : new Uint8Array(buf.subarray(start, end)).buffer, pooled: own, start: own ? start : 0, end: own ? end : end - start, scan: { ...scan, hits, judge } });
    bytes = 0;
    cuts = 0;
  },
  cut() {
    cuts++;
  },
});

function nextBuffer(): Buffer {
  for (;;) {
    const free = pool.pop();
    if (free) return free;
    const seen = Atomics.load(signal, 0);
    const back = receiveMessageOnPort(returns);
    if (back) pool.push(Buffer.from(back.message as ArrayBuffer));
    else Atomics.wait(signal, 0, seen);
  }
}

function flush(): void {
  for (const m of out) parentPort!.postMessage(m, m.pooled ? [m.buf, ...transfer.splice(0, 2)] : transfer.splice(0, 2));
  out = [];
  transfer = [];
}

let position = 0;
let shrunkAt: number | undefined;
for (;;) {
  const buf = nextBuffer();
  const read = readSync(job.fd, buf, 0, buf.length, position);
  if (read === 0) {
    pool.push(buf);
    if (position < job.size) shrunkAt = position;
    break;
  }
  position += read;
  bytes += read;
  // Views share the pooled buffer's memory: a region in it is sent with the whole buffer.
  chunk = Buffer.from(buf.buffer, 0, read);
  splitter.push(chunk);
  if (!out.some((m) => m.pooled)) pool.push(buf);
  flush();
}
chunk = undefined;
splitter.end();
flush();
parentPort!.postMessage({ bytes, cuts, done: true, shrunkAt } satisfies PassMessage);
