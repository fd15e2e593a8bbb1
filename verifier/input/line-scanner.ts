import type { KeywordFinder } from './keyword-finder.ts';
import { undecodableLines } from './undecodable-lines.ts';

/** Lines longer than this are cut: only their first MiB is read, the rest is skipped unbuffered. */
export const MAX_LINE_BYTES = 1 << 20;

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const LBRACKET = 0x5b;

/** How a line relates to log records, judged from its first bytes. */
export type LineRole = 'head' | 'continuation' | 'unknown';

/** A line of interest, as a view into a buffer that is only valid during the callback. */
export interface ScannedLine {
  buf: Buffer;
  start: number;
  end: number;
  lineNo: number;
}

export interface ScanSink {
  /** A line holding a candidate keyword (or every line when all lines are wanted). */
  candidate(line: ScannedLine, role: LineRole, head: ScannedLine | undefined): void;
  /** A line whose role the first bytes do not settle; returns whether it starts a record. */
  judge(line: ScannedLine): LineRole;
}

export interface ScanCounts {
  bytes: number;
  lines: number;
  heads: number;
  continuation: number;
  unknown: number;
  truncated: number;
  /** Lines that are not valid UTF-8. */
  undecodable: number;
}

/**
 * Splits a byte stream into lines without decoding it: newlines are found with native `Buffer.indexOf`,
 * candidate keywords by a {@link KeywordFinder}, and only lines holding a keyword are handed on. Memory
 * stays bounded by the chunk size plus one line of at most {@link MAX_LINE_BYTES}. Nothing of a pushed chunk is kept after
 * `push` returns, so the caller may reuse its buffer.
 */
export class LineScanner {
  readonly counts: ScanCounts = { bytes: 0, lines: 0, heads: 0, continuation: 0, unknown: 0, truncated: 0, undecodable: 0 };
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private headBuf: Buffer | undefined;
  private headStart = 0;
  private headEnd = 0;
  private headLineNo = 0;

  constructor(
    private readonly keywords: KeywordFinder,
    private readonly sink: ScanSink,
    private readonly allLines: boolean,
    /** Whether text heads (`[2025-…`, `2025-…`) may be settled from their first bytes (not for `--format pino`). */
    private readonly textHeads: boolean,
  ) {}

  push(chunk: Buffer): void {
    this.counts.bytes += chunk.length;
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
      this.region(line, 0, line.length);
      start = firstNl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= start) this.region(chunk, start, lastNl);
    if (lastNl + 1 < chunk.length) this.addCarry(Buffer.from(chunk.subarray(lastNl + 1)));
  }

  /** Reads the last line when the input does not end with a newline. */
  end(): void {
    if (this.carryBytes > 0) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.region(line, 0, line.length);
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
    this.counts.truncated++;
    this.region(line, 0, line.length);
    this.skipping = true;
  }

  /** Walks the complete lines in buf[start, end); the last one ends at `end`. */
  private region(buf: Buffer, start: number, end: number): void {
    // Per-line work stays allocation-free: a line object is made only for lines handed to the sink.
    const hits = this.allLines ? undefined : this.keywords.find(buf, start, end);
    const counts = this.counts;
    counts.undecodable += undecodableLines(buf, start, end);
    let h = 0;
    let nextHit = hits && hits.length > 0 ? hits[0] : Number.POSITIVE_INFINITY;
    let s = start;
    for (;;) {
      let nl = buf.indexOf(NL, s);
      if (nl < 0 || nl > end) nl = end;
      let e = nl;
      if (e > s && buf[e - 1] === CR) e--;
      if (e - s > MAX_LINE_BYTES) {
        e = s + MAX_LINE_BYTES;
        counts.truncated++;
      }
      const lineNo = ++counts.lines;
      let role = this.roleOf(buf, s, e);
      if (role === 'unknown') role = this.sink.judge({ buf, start: s, end: e, lineNo });
      let candidate = this.allLines;
      if (nextHit < nl) {
        candidate = true;
        while (h < hits!.length && hits![h] < nl) h++;
        nextHit = h < hits!.length ? hits![h] : Number.POSITIVE_INFINITY;
      }
      if (role === 'head') {
        counts.heads++;
        if (candidate) this.sink.candidate({ buf, start: s, end: e, lineNo }, role, undefined);
        this.headBuf = buf;
        this.headStart = s;
        this.headEnd = e;
        this.headLineNo = lineNo;
      } else {
        if (role === 'continuation') counts.continuation++;
        else counts.unknown++;
        if (candidate && e > s) this.sink.candidate({ buf, start: s, end: e, lineNo }, role, this.lastHead());
      }
      if (nl >= end) break;
      s = nl + 1;
    }
    // The next buffer may continue the record whose first line is in this one (and this buffer may be
    // reused for the next read): keep a copy of that line.
    if (this.headBuf === buf) {
      this.headBuf = Buffer.from(buf.subarray(this.headStart, this.headEnd));
      this.headStart = 0;
      this.headEnd = this.headBuf.length;
    }
  }

  /** The first line of the last record seen so far. */
  lastHead(): ScannedLine | undefined {
    return this.headBuf ? { buf: this.headBuf, start: this.headStart, end: this.headEnd, lineNo: this.headLineNo } : undefined;
  }

  /** Settles the common shapes from their first bytes; the rest goes to the sink's parser. */
  private roleOf(buf: Buffer, s: number, e: number): LineRole {
    if (e === s) return 'continuation';
    const b0 = buf[s];
    if (b0 === SPACE || b0 === TAB) return 'continuation';
    if (e - s < 8 || !this.textHeads) return 'unknown';
    const b1 = buf[s + 1];
    if (b0 === LBRACKET && isDigit(b1) && isDigit(buf[s + 2]) && buf[s + 5] === 0x2d) return 'head';
    if (isDigit(b0) && isDigit(b1) && isDigit(buf[s + 3]) && buf[s + 4] === 0x2d) return 'head';
    return 'unknown';
  }
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}
