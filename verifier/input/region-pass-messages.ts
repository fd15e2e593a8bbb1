import type { MessagePort } from 'node:worker_threads';
import type { LineScan } from './keyword-finder.ts';

/** What the pass thread is given: the open file, its size when opened, and how to run the pass. */
export interface PassJob {
  fd: number;
  size: number;
  keywords: readonly string[];
  headsFromBytes: boolean;
  chunkBytes: number;
  buffers: number;
  /** Counts buffers handed back on `returns`, so the pass thread can sleep until one is. */
  signal: SharedArrayBuffer;
  returns: MessagePort;
}

/**
 * One message from the pass thread: the bytes read and lines cut since the last message, then either
 * a region with its pass (`pooled` when `buf` is a chunk buffer to hand back) or the end of the file.
 */
export type PassMessage = RegionMessage | { bytes: number; cuts: number; done: true; shrunkAt: number | undefined };

export interface RegionMessage {
  bytes: number;
  cuts: number;
  buf: ArrayBuffer;
  pooled: boolean;
  start: number;
  end: number;
  scan: LineScan;
  done?: undefined;
}
