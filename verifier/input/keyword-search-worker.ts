import { Worker } from 'node:worker_threads';
import { findKeywordHits } from './keyword-hits.ts';

/** A chunk handed back by the worker with the offsets of every keyword in it. */
export interface SearchedChunk {
  chunk: Buffer;
  hits: Float64Array;
}

// Run from source text (eval) so that it needs no file of its own and no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const findKeywordHits = ${findKeywordHits.toString()};
const keywords = workerData.keywords.map((k) => Buffer.from(k, 'latin1'));
const scratch = new Float64Array(4096);
parentPort.on('message', (m) => {
  const hits = findKeywordHits(Buffer.from(m.bytes, 0, m.length), 0, m.length, keywords, scratch).slice();
  parentPort.postMessage({ bytes: m.bytes, length: m.length, hits }, [m.bytes, hits.buffer]);
});
`;

/**
 * Searches chunks for keywords on a second thread, so that the search of one chunk overlaps the
 * parsing of the one before. Chunks are moved to the worker and back (transferred, not copied);
 * answers come back in the order the chunks were sent.
 */
export class KeywordSearchWorker {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (r: SearchedChunk) => void; reject: (err: Error) => void }> = [];
  private failure: Error | undefined;

  constructor(keywords: readonly string[]) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { keywords } });
    this.worker.on('message', (m: { bytes: ArrayBuffer; length: number; hits: Float64Array }) => {
      this.waiting.shift()?.resolve({ chunk: Buffer.from(m.bytes, 0, m.length), hits: m.hits });
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`keyword search worker exited (code ${code})`)));
  }

  /** Takes ownership of `chunk` (its whole ArrayBuffer, which must be its own) until the answer. */
  search(chunk: Buffer): Promise<SearchedChunk> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const bytes = chunk.buffer as ArrayBuffer;
      this.worker.postMessage({ bytes, length: chunk.length }, [bytes]);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
