import { readFileSync } from 'node:fs';
import type { LinePass, LineScan } from './keyword-finder.ts';

/** Where keyword-scan.wat expects its prefilter tables. */
const TABLES = 0;
/** Where `scan_lines` expects its keyword tables, its text and its padding, and leaves its results. */
const RESULTS = 96;
const KEYWORD_BUCKETS = 256;
const KEYWORD_BYTES = 1024;
const LINES_TEXT = 2048;
const LINES_PADDING = 80;
const MAX_KEYWORDS = 32;
const MAX_KEYWORD_BYTES = 16;
const HIT_WORDS = 3;
const STEP = 32;
const JUDGE_WORDS = 2;
/** The prefilter compares the first three bytes of every keyword, in eight buckets. */
const FINGERPRINT = 3;
const BUCKETS = 8;
const PAGE = 65536;
const NL = 0x0a;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled prefilter, or null where WebAssembly or its SIMD extension is unavailable. */
function prefilterModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = readFileSync(new URL('./keyword-scan.wasm', import.meta.url));
  compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return compiled;
}

export function simdAvailable(): boolean {
  return prefilterModule() !== null;
}

/**
 * One SIMD pass over whole lines marks the positions whose first three bytes may begin a keyword
 * (keyword-scan.wat says how), compares only those with the keywords, and does the line scanner's
 * per-line work in the same pass. It costs the same for any number of keywords, where native searches
 * cost one pass each.
 */
export class SimdKeywordFinder implements LinePass {
  private readonly memory: WebAssembly.Memory;
  private readonly scanLinesIn: (text: number, n: number, headsFromBytes: number, k: number, maxLine: number, hits: number, judge: number, lineStarts: number) => number;
  private readonly keywordCount: number;
  private bytes: Uint8Array;

  constructor(keywords: readonly string[]) {
    const module = prefilterModule();
    if (!module) throw new Error('WebAssembly SIMD is not available in this runtime');
    const instance = new WebAssembly.Instance(module);
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.scanLinesIn = instance.exports.scan_lines as SimdKeywordFinder['scanLinesIn'];
    this.bytes = new Uint8Array(this.memory.buffer);
    if (keywords.length > MAX_KEYWORDS) throw new Error(`the SIMD prefilter takes at most ${MAX_KEYWORDS} keywords`);
    this.keywordCount = keywords.length;
    const buckets = new Map<number, number>();
    for (const [k, keyword] of keywords.entries()) {
      const kw = Buffer.from(keyword, 'latin1');
      if (kw.length < FINGERPRINT || kw.length > MAX_KEYWORD_BYTES || kw.some((b) => b < 0x10)) {
        throw new Error(`keyword ${JSON.stringify(keyword)}: the SIMD prefilter needs at least ${FINGERPRINT} bytes, at most ${MAX_KEYWORD_BYTES}, none below 0x10`);
      }
      // Keywords that share a first byte share a bucket, so their nibbles combine into few false candidates.
      if (!buckets.has(kw[0]!)) buckets.set(kw[0]!, buckets.size % BUCKETS);
      const bit = 1 << buckets.get(kw[0]!)!;
      // Written once: nothing else writes below the text, and growing the memory keeps its bytes.
      this.bytes[KEYWORD_BUCKETS + k] = bit;
      const at = KEYWORD_BYTES + 2 * MAX_KEYWORD_BYTES * k;
      this.bytes.set(kw, at);
      this.bytes.fill(0xff, at + MAX_KEYWORD_BYTES, at + MAX_KEYWORD_BYTES + kw.length);
      for (let j = 0; j < FINGERPRINT; j++) {
        this.bytes[TABLES + 32 * j + (kw[j]! & 15)] |= bit;
        this.bytes[TABLES + 32 * j + 16 + (kw[j]! >> 4)] |= bit;
      }
    }
  }

  scanLines(buf: Buffer, start: number, end: number, headsFromBytes: boolean, maxLine: number): LineScan {
    // The pass checks one line end per 32-byte step for length: the others in a step are shorter.
    if (maxLine < STEP) throw new Error(`scan_lines needs a line limit of at least ${STEP} bytes, not ${maxLine}`);
    const n = end - start;
    const hitsAt = (LINES_TEXT + n + LINES_PADDING + 3) & ~3;
    const judgeAt = hitsAt + 4 * HIT_WORDS * (n + 1);
    const lineStartsAt = judgeAt + 4 * JUDGE_WORDS * (n + 1);
    this.reserve(lineStartsAt + 4 * (n + 3));
    const bytes = this.bytes;
    bytes.set(buf.subarray(start, end), LINES_TEXT);
    bytes[LINES_TEXT + n] = NL;
    bytes.fill(0, LINES_TEXT + n + 1, LINES_TEXT + n + LINES_PADDING);
    const hitCount = this.scanLinesIn(LINES_TEXT, n, headsFromBytes ? 1 : 0, this.keywordCount, maxLine, hitsAt, judgeAt, lineStartsAt);
    const results = new Int32Array(this.memory.buffer, RESULTS, 6);
    return {
      lines: results[0]! + 1,
      heads: results[1]!,
      continuations: results[2]!,
      ascii: results[4] === 0,
      overLong: results[5]!,
      hits: new Uint32Array(this.memory.buffer, hitsAt, HIT_WORDS * hitCount),
      judge: new Uint32Array(this.memory.buffer, judgeAt, JUDGE_WORDS * results[3]!),
    };
  }

  private reserve(size: number): void {
    const missing = Math.ceil((size - this.memory.buffer.byteLength) / PAGE);
    if (missing <= 0) return;
    this.memory.grow(missing);
    this.bytes = new Uint8Array(this.memory.buffer);
  }
}

