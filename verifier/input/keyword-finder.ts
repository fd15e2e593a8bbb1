import { NativeKeywordFinder } from './native-keyword-finder.ts';
import { SimdKeywordFinder, simdAvailable } from './simd-keyword-finder.ts';

/** Finds where candidate keywords occur in a buffer, so the scanner parses only the lines around them. */
export interface KeywordFinder {
  /**
   * Ascending positions in buf[start, end) where a keyword begins (every keyword wholly inside the
   * range is found). The array is reused by the next call.
   */
  find(buf: Buffer, start: number, end: number): ArrayLike<number>;
}

/**
 * What one pass over a region of whole lines found (views valid until the next pass). `hits` holds,
 * per line with a keyword, its start (relative to the region), its index in the region and the bits
 * of the keywords in it; `judge` the start and index of each line whose first bytes do not say
 * whether it is a record head or a continuation. Record heads and continuations settled by their
 * first bytes are only counted.
 */
export interface LineScan {
  lines: number;
  heads: number;
  continuations: number;
  /** Lines longer than the pass's limit (a trailing CR not counted). */
  overLong: number;
  /** Whether every byte is ASCII, so the region is valid UTF-8. */
  ascii: boolean;
  hits: Uint32Array;
  judge: Uint32Array;
}

/** A finder that also does the line scanner's per-line work in its pass (see keyword-scan.wat). */
export interface LinePass {
  scanLines(buf: Buffer, start: number, end: number, headsFromBytes: boolean, maxLine: number): LineScan;
}

/** Either way of finding keywords: a line pass, or positions the scanner walks lines to. */
export type AnyKeywordFinder = KeywordFinder | LinePass;

/**
 * The SIMD line pass where WebAssembly with SIMD runs (every supported Node except under
 * `--jitless`), else one native search per keyword.
 */
export function keywordFinder(keywords: readonly string[]): AnyKeywordFinder {
  return simdAvailable() ? new SimdKeywordFinder(keywords) : new NativeKeywordFinder(keywords);
}
