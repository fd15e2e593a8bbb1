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
let chunk: Buffer | undefined;

const splitter = new RegionSplitter({
  region(buf, start, end) {
    const scan = finder.scanLines(buf, start, end, job.headsFromBytes, MAX_LINE_BYTES);
    // The pass's results live in its memory, which the next region overwrites.
    const results = { ...scan, hits: scan.hits.slice(), judge: scan.judge.slice() };
    // A carried line is a buffer of its own, sent as a copy; a chunk goes back to the pool once read.
    if (buf === chunk) out.push({ bytes, cuts, buf: buf.buffer as ArrayBuffer, pooled: true, start, end, scan: results });
    else out.push({ bytes, cuts, buf: new Uint8Array(buf.subarray(start, end)).buffer, pooled: false, start: 0, end: end - start, scan: results });
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
  for (const m of out) parentPort!.postMessage(m, [m.buf, m.scan.hits.buffer as ArrayBuffer, m.scan.judge.buffer as ArrayBuffer]);
  out = [];
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
  chunk = buf.subarray(0, read);
  splitter.push(chunk);
  if (!out.some((m) => m.pooled)) pool.push(buf);
  flush();
}
chunk = undefined;
splitter.end();
flush();
parentPort!.postMessage({ bytes, cuts, done: true, shrunkAt } satisfies PassMessage);
