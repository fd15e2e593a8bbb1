import type { AnyKeywordFinder, LineScan } from './keyword-finder.ts';
import { MAX_LINE_BYTES } from './max-line.ts';
import { RegionSplitter } from './region-splitter.ts';
import { undecodableLines } from './undecodable-lines.ts';

export { MAX_LINE_BYTES };

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
  /** Bits (by index in the finder's list) of the keywords the line holds, where the finder told them apart. */
  keywords?: number;
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
 * candidate keywords by a line pass or a {@link KeywordFinder}, and only lines holding a keyword are handed on. Memory
 * stays bounded by the chunk size plus one line of at most {@link MAX_LINE_BYTES}. Nothing of a pushed chunk is kept after
 * `push` returns, so the caller may reuse its buffer.
 */
export class LineScanner {
  readonly counts: ScanCounts = { bytes: 0, lines: 0, heads: 0, continuation: 0, unknown: 0, truncated: 0, undecodable: 0 };
  private readonly regions = new RegionSplitter({
    region: (buf, start, end) => this.region(buf, start, end),
    cut: () => this.counts.truncated++,
  });
  private headBuf: Buffer | undefined;
  private headStart = 0;
  private headEnd = 0;
  private headLineNo = 0;
  /** Within the region being read: the last line judged a head, and the last line whose head is known. */
  private judgedHead: ScannedLine | undefined;
  private knownStart = -1;
  private knownHead: ScannedLine | undefined;

  constructor(
    private readonly keywords: AnyKeywordFinder,
    private readonly sink: ScanSink,
    private readonly allLines: boolean,
    /** Whether text heads (`[2025-…`, `2025-…`) may be settled from their first bytes (not for `--format pino`). */
    private readonly textHeads: boolean,
  ) {}

  push(chunk: Buffer): void {
    this.counts.bytes += chunk.length;
    this.regions.push(chunk);
  }

  /** Reads the last line when the input does not end with a newline. */
  end(): void {
    this.regions.end();
  }

  /** Counts what a pass elsewhere (verifier/input/region-pass-worker.ts) read, before the regions it hands on. */
  counted(bytes: number, cuts: number): void {
    this.counts.bytes += bytes;
    this.counts.truncated += cuts;
  }

  /** Reads the complete lines in buf[start, end); the last one ends at `end`. */
  private region(buf: Buffer, start: number, end: number): void {
    const k = this.keywords;
    if (this.allLines || !('scanLines' in k)) this.walkRegion(buf, start, end);
    else this.passRegion(buf, start, end, k.scanLines(buf, start, end, this.textHeads, MAX_LINE_BYTES));
  }

  /**
   * Reads a region from one pass of the finder, which counted its lines and settled most of their roles:
   * only the lines to judge and the lines holding keywords are looked at here.
   */
  passRegion(buf: Buffer, start: number, end: number, scan: LineScan): void {
    const counts = this.counts;
    const before = counts.lines;
    counts.lines += scan.lines;
    counts.heads += scan.heads;
    counts.continuation += scan.continuations;
    counts.truncated += scan.overLong;
    if (!scan.ascii) counts.undecodable += undecodableLines(buf, start, end);
    this.judgedHead = undefined;
    this.knownStart = -1;
    const { hits, judge } = scan;
    let h = 0;
    let j = 0;
    while (h < hits.length || j < judge.length) {
      const hitIndex = h < hits.length ? hits[h + 1]! : Number.POSITIVE_INFINITY;
      const judgeIndex = j < judge.length ? judge[j + 1]! : Number.POSITIVE_INFINITY;
      const index = Math.min(hitIndex, judgeIndex);
      const s = start + (judgeIndex === index ? judge[j]! : hits[h]!);
      const e = lineEnd(buf, s, end);
      const lineNo = before + index + 1;
      let role: LineRole;
      if (judgeIndex === index) {
        j += 2;
        role = this.sink.judge({ buf, start: s, end: e, lineNo });
        if (role === 'head') {
          counts.heads++;
          this.judgedHead = { buf, start: s, end: e, lineNo };
        } else if (role === 'continuation') counts.continuation++;
        else counts.unknown++;
      } else role = this.roleOf(buf, s, e);
      if (hitIndex !== index) continue;
      const line: ScannedLine = { buf, start: s, end: e, lineNo, keywords: hits[h + 2]! };
      h += 3;
      if (role === 'head') {
        this.sink.candidate(line, role, undefined);
        this.knownStart = s;
        this.knownHead = line;
      } else if (e > s) {
        const head = this.headBefore(buf, start, s, lineNo);
        this.knownStart = s;
        this.knownHead = head;
        this.sink.candidate(line, role, head);
      }
    }
    const last = this.headBefore(buf, start, end + 1, before + scan.lines + 1);
    if (last && last.buf === buf) {
      this.headBuf = Buffer.from(buf.subarray(last.start, last.end));
      this.headStart = 0;
      this.headEnd = this.headBuf.length;
      this.headLineNo = last.lineNo;
    }
  }

  /**
   * The first line of the record that the line at `s` (line `lineNo`) belongs to: the nearest head
   * above it, found by walking up the region from `s` to a line whose head is already known.
   */
  private headBefore(buf: Buffer, regionStart: number, s: number, lineNo: number): ScannedLine | undefined {
    let p = s;
    let no = lineNo;
    while (p > regionStart) {
      const nl = p - 2 < regionStart ? -1 : buf.lastIndexOf(NL, p - 2);
      const ls = nl < regionStart ? regionStart : nl + 1;
      no--;
      if (ls === this.knownStart) return this.knownHead;
      if (ls === this.judgedHead?.start) return this.judgedHead;
      const e = trimLine(buf, ls, p - 1);
      if (this.roleOf(buf, ls, e) === 'head') return { buf, start: ls, end: e, lineNo: no };
      p = ls;
    }
    return this.lastHead();
  }

  /** Walks the complete lines in buf[start, end) one by one; the last one ends at `end`. */
  private walkRegion(buf: Buffer, start: number, end: number): void {
    // Per-line work stays allocation-free: a line object is made only for lines handed to the sink.
    const k = this.keywords;
    const hits = this.allLines || !('find' in k) ? undefined : k.find(buf, start, end);
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

/** The end of the line starting at `s` in a region ending at `end`. */
function lineEnd(buf: Buffer, s: number, end: number): number {
  const nl = buf.indexOf(NL, s);
  return trimLine(buf, s, nl < 0 || nl > end ? end : nl);
}

/** The end of the line buf[s, nl) without its CR, cut to {@link MAX_LINE_BYTES}. */
function trimLine(buf: Buffer, s: number, nl: number): number {
  const e = nl > s && buf[nl - 1] === CR ? nl - 1 : nl;
  return e - s > MAX_LINE_BYTES ? s + MAX_LINE_BYTES : e;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}
