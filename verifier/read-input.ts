import { EventClassifier } from './classify/classify.ts';
import type { LogEvent } from './classify/log-event.ts';
import { CANDIDATE_KEYWORDS } from './classify/templates.ts';
import { keywordFinder, type AnyKeywordFinder } from './input/keyword-finder.ts';
import { LineScanner, type LineRole, type ScannedLine, type ScanSink } from './input/line-scanner.ts';
import { isGzipError, type InputSource } from './input/open-input.ts';
import { VerifyInputError } from './input/input-error.ts';
import { QuietWatch } from './input/quiet-watch.ts';
import { passThreadFor, readOnPassThread } from './input/region-pass.ts';
import { parseLine } from './parse/parse-line.ts';
import type { LogRecord } from './parse/log-record.ts';
import type { PatternRule } from './rules/index.ts';
import type { InputSummary, LogFormat } from './types.ts';

// Lines without a timestamp that still belong to the record above them (Python tracebacks).
const CONTINUATION =
  /^(?:Traceback \(most recent call last\)|During handling of the above exception|The above exception was|(?:[a-z_]\w*\.)+[A-Z]\w*(?::|$)|[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning)\b)/;
// Judging a line's role needs only its beginning; a long line is not decoded whole for that.
const JUDGE_BYTES = 64 * 1024;

let finder: AnyKeywordFinder | undefined;

/**
 * One keyword finder for every input: each holds a WebAssembly instance whose memory reserves gigabytes
 * of address space, and making one per file made 100,000 small files take minutes. Sharing is safe
 * because the scanner uses what a pass returns before it returns from `push`.
 */
function sharedFinder(): AnyKeywordFinder {
  finder ??= keywordFinder(CANDIDATE_KEYWORDS);
  return finder;
}

export interface ReadContext {
  format: LogFormat;
  year: number;
  patternRules: PatternRule[];
  onEvent: (ev: LogEvent) => void;
  onBytes?: (n: number) => void;
  /** Called after a quiet followed input let held lines through, as `onBytes` is after a chunk. */
  onReleased?: () => void;
  /** `--since`/`--until` as epoch ms: records outside are counted, not judged. */
  window?: { since?: number; until?: number };
}

/**
 * Reads one input to its end, feeding events to `ctx.onEvent`; returns what was read, the time of its
 * last record, and `shrunk` when the file lost bytes while it was read (what it held is still judged).
 */
export async function readInput(source: InputSource, ctx: ReadContext): Promise<{ summary: InputSummary; lastTime?: number; shrunk?: string }> {
  const sink = new RecordSink(source.name, ctx);
  // A time window must see every record's time to count the lines it leaves out.
  const allLines = ctx.patternRules.length > 0 || ctx.window !== undefined;
  const textHeads = ctx.format !== 'pino';
  const finder = sharedFinder();
  const scanner = new LineScanner(finder, sink, allLines, textHeads);
  const plain = source.plain;
  const followed = source.followed;
  const watch = followed
    ? new QuietWatch((quietMs) => {
        const holding = sink.classifier.releaseAfterQuiet(quietMs);
        ctx.onReleased?.();
        return holding;
      }, followed.clock)
    : undefined;
  let shrunk: string | undefined;
  try {
    if (plain && !allLines && 'scanLines' in finder && passThreadFor(plain.size)) {
      try {
        await readOnPassThread(plain, scanner, CANDIDATE_KEYWORDS, textHeads, ctx.onBytes);
      } finally {
        await plain.close();
      }
    } else {
      for await (const chunk of source.stream) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        const records = sink.classifier.records;
        scanner.push(buf);
        ctx.onBytes?.(buf.length);
        if (watch && sink.classifier.records !== records) watch.arrived(sink.classifier.holding);
      }
    }
  } catch (err) {
    const error = asInputError(err, source.name);
    if (error.code !== 'SHRUNK') throw error;
    shrunk = error.reason;
  } finally {
    watch?.stop();
  }
  scanner.end();
  sink.finish();
  const c = scanner.counts;
  const last = scanner.lastHead();
  const lastRead = last ? parseLine(last.buf.toString('utf8', last.start, last.end), ctx.format, ctx.year)?.time : undefined;
  const until = ctx.window?.until;
  const lastTime = lastRead !== undefined && until !== undefined ? Math.min(lastRead, until) : lastRead;
  const summary: InputSummary = {
    name: source.name,
    bytes: c.bytes,
    lines: c.lines,
    recognised: c.heads - sink.failedHeads,
    continuation: c.continuation,
    unrecognised: c.unknown + sink.failedHeads,
    truncated: c.truncated,
    undecodable: c.undecodable,
    ...(sink.errorSinkOnly ? { errorSinkOnly: true as const } : {}),
  };
  if (ctx.window) summary.outsideWindow = sink.outsideWindow;
  return { summary, lastTime, shrunk };
}

function asInputError(err: unknown, name: string): VerifyInputError {
  if (err instanceof VerifyInputError) return err;
  if (isGzipError(err)) return new VerifyInputError('CORRUPT_GZIP', name, `cannot read ${name}: gzip data is truncated or corrupt (${(err as Error).message})`);
  return new VerifyInputError('UNREADABLE', name, `cannot read ${name}: ${(err as Error).message}`);
}

/** Parses the lines the scanner hands on and classifies them; tracebacks belong to the record above. */
class RecordSink implements ScanSink {
  failedHeads = 0;
  outsideWindow = 0;
  private skippedHead = -1;
  private parsed = 0;
  private parsedFromErrorSink = 0;
  readonly classifier: EventClassifier;
  private judged: ParsedHead | undefined;
  private headCache: ParsedHead | undefined;
  private lastEventRecord = -1;

  constructor(
    private readonly file: string,
    private readonly ctx: ReadContext,
  ) {
    this.classifier = new EventClassifier(ctx.onEvent);
  }

  judge(line: ScannedLine): LineRole {
    const text = line.buf.toString('utf8', line.start, Math.min(line.end, line.start + JUDGE_BYTES));
    // Traceback lines are the common case here and never carry a timestamp: settle them first.
    if (CONTINUATION.test(text)) return 'continuation';
    const record = parseLine(text, this.ctx.format, this.ctx.year);
    if (!record) return 'unknown';
    this.count(record);
    this.judged = { lineNo: line.lineNo, record, keywords: keywordsOf(line, text) };
    return 'head';
  }

  candidate(line: ScannedLine, role: LineRole, head: ScannedLine | undefined): void {
    const ref = { file: this.file, line: line.lineNo };
    if (role === 'head') {
      const parsed = this.parsedHead(line);
      const record = parsed.record;
      if (!record) {
        this.failedHeads++;
        return;
      }
      if (this.ctx.window && outside(record.time, this.ctx.window)) {
        this.outsideWindow++;
        this.skippedHead = line.lineNo;
        return;
      }
      for (const rule of this.ctx.patternRules) rule.observeRecord(record, ref);
      if (this.classifier.classify(record, ref, record.message, parsed.keywords)) this.lastEventRecord = line.lineNo;
      return;
    }
    if (head !== undefined && head.lineNo === this.skippedHead) {
      this.outsideWindow++;
      return;
    }
    // A keyword inside a traceback or wrapped text: one event per record, dated by the record's head.
    if (!head || head.lineNo === this.lastEventRecord) return;
    const record = this.parsedHead(head).record;
    if (!record) return;
    const text = line.buf.toString('utf8', line.start, line.end);
    if (this.classifier.classify(record, { file: this.file, line: head.lineNo }, text, keywordsOf(line, text))) this.lastEventRecord = head.lineNo;
  }

  finish(): void {
    this.classifier.finish();
  }

  private parsedHead(line: ScannedLine): ParsedHead {
    if (this.judged?.lineNo === line.lineNo) return this.judged;
    if (this.headCache?.lineNo === line.lineNo) return this.headCache;
    const text = line.buf.toString('utf8', line.start, line.end);
    const record = parseLine(text, this.ctx.format, this.ctx.year);
    if (record) this.count(record);
    this.headCache = { lineNo: line.lineNo, record, keywords: keywordsOf(line, text) };
    return this.headCache;
  }

  /** Whether every record parsed came from OpenAlgo's `log/errors.jsonl`. */
  get errorSinkOnly(): boolean {
    return this.parsed > 0 && this.parsedFromErrorSink === this.parsed;
  }

  private count(record: LogRecord): void {
    this.parsed++;
    if (record.errorSink) this.parsedFromErrorSink++;
  }
}

/** A line parsed as a record's first line, with the keywords its message may hold. */
interface ParsedHead {
  lineNo: number;
  record: LogRecord | undefined;
  keywords: number | undefined;
}

/**
 * The line's keyword bits, where the text read from it holds its bytes unchanged: colour codes removed
 * or JSON escapes decoded could join a keyword the bytes do not hold.
 */
function keywordsOf(line: ScannedLine, text: string): number | undefined {
  return line.keywords !== undefined && !text.includes('\x1b') && !text.includes('\\') ? line.keywords : undefined;
}

function outside(time: number, w: { since?: number; until?: number }): boolean {
  return (w.since !== undefined && time < w.since) || (w.until !== undefined && time > w.until);
}
