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
 * The SIMD prefilter where WebAssembly with SIMD runs (every supported Node except under
 * `--jitless`), else one native search per keyword.
 */
export function keywordFinder(keywords: readonly string[]): KeywordFinder {
  return simdAvailable() ? new SimdKeywordFinder(keywords) : new NativeKeywordFinder(keywords);
}
