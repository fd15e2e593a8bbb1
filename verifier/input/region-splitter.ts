import { MAX_LINE_BYTES } from './max-line.ts';

const NL = 0x0a;

/** Where the regions of whole lines go, and where a line cut at {@link MAX_LINE_BYTES} is counted. */
export interface RegionSink {
  region(buf: Buffer, start: number, end: number): void;
  cut(): void;
}

/**
 * Cuts a byte stream into regions of whole lines: a line that crosses chunks is carried (at most
 * {@link MAX_LINE_BYTES} of it, the rest skipped unbuffered) and handed on alone. Nothing of a pushed
 * chunk is kept after `push` returns, so the caller may reuse its buffer.
 */
export class RegionSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;

  constructor(private readonly sink: RegionSink) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) return;
      this.skipping = false;
      start = nl + 1;
    }
    const firstNl = chunk.indexOf(NL, start);
    if (firstNl < 0) {
      this.addCarry(Buffer.from(chunk.subarray(start)));
      return;
    }
    if (this.carryBytes > 0) {
      this.carry.push(chunk.subarray(start, firstNl));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.sink.region(line, 0, line.length);
      start = firstNl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= start) this.sink.region(chunk, start, lastNl);
    if (lastNl + 1 < chunk.length) this.addCarry(Buffer.from(chunk.subarray(lastNl + 1)));
  }

  /** Hands on the last line when the input does not end with a newline. */
  end(): void {
    if (this.carryBytes > 0) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.sink.region(line, 0, line.length);
    }
  }

  private addCarry(part: Buffer): void {
    if (this.carryBytes + part.length <= MAX_LINE_BYTES) {
      this.carry.push(part);
      this.carryBytes += part.length;
      return;
    }
    this.carry.push(part.subarray(0, MAX_LINE_BYTES - this.carryBytes));
    const line = Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    this.sink.cut();
    this.sink.region(line, 0, line.length);
    this.skipping = true;
  }
}
