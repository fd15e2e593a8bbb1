import { KeywordSearchWorker, type SearchedChunk } from './keyword-search-worker.ts';
import type { LineScanner } from './line-scanner.ts';

/** Bytes per chunk sent to the worker: large enough that a message's cost is small against its search. */
const PIECE_BYTES = 1 << 20;
/** Chunks searched ahead of the scanner; with the piece being filled this bounds the memory held. */
const AHEAD = 3;

/**
 * Feeds a {@link LineScanner} whose keyword search runs on a worker thread, a few chunks ahead, so
 * that on a second core the search costs no wall time. Chunks reach the scanner in read order, so
 * events and line numbers are exactly those of a scan on one thread. Bytes are held back until a
 * chunk fills, so this is for inputs read to their end, not for following a live file.
 */
export class OffloadedScan {
  private readonly worker: KeywordSearchWorker;
  private readonly ahead: Array<Promise<SearchedChunk>> = [];
  private readonly spare: ArrayBuffer[] = [];
  private piece = Buffer.allocUnsafeSlow(PIECE_BYTES);
  private filled = 0;

  constructor(
    private readonly scanner: LineScanner,
    keywords: readonly string[],
  ) {
    this.worker = new KeywordSearchWorker(keywords);
  }

  async push(data: Buffer): Promise<void> {
    let at = 0;
    while (at < data.length) {
      const n = data.copy(this.piece, this.filled, at);
      this.filled += n;
      at += n;
      if (this.filled === this.piece.length) await this.send();
    }
  }

  /** Scans what is still held or searched ahead. */
  async end(): Promise<void> {
    if (this.filled > 0) this.dispatch();
    while (this.ahead.length > 0) await this.scanOldest();
  }

  close(): Promise<void> {
    return this.worker.close();
  }

  private async send(): Promise<void> {
    this.dispatch();
    if (this.ahead.length >= AHEAD) await this.scanOldest();
  }

  private dispatch(): void {
    const searched = this.worker.search(this.piece.subarray(0, this.filled));
    // A chunk abandoned after a read error must not surface as an unhandled rejection.
    searched.catch(() => undefined);
    this.ahead.push(searched);
    const reuse = this.spare.pop();
    this.piece = reuse ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(PIECE_BYTES);
    this.filled = 0;
  }

  private async scanOldest(): Promise<void> {
    const { chunk, hits } = await this.ahead.shift()!;
    this.scanner.push(chunk, hits);
    this.spare.push(chunk.buffer as ArrayBuffer);
  }
}
