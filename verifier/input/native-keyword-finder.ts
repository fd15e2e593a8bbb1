import type { KeywordFinder } from './keyword-finder.ts';

/** One native `Buffer.indexOf` pass per keyword; each pass reads every byte, so the cost grows with the keyword count. */
export class NativeKeywordFinder implements KeywordFinder {
  private readonly keywords: Buffer[];
  private hits = new Float64Array(1024);

  constructor(keywords: readonly string[]) {
    this.keywords = keywords.map((k) => Buffer.from(k, 'latin1'));
  }

  find(buf: Buffer, start: number, end: number): Float64Array {
    let n = 0;
    for (const kw of this.keywords) {
      let p = buf.indexOf(kw, start);
      while (p >= 0 && p + kw.length <= end) {
        if (n === this.hits.length) this.grow();
        this.hits[n++] = p;
        p = buf.indexOf(kw, p + 1);
      }
    }
    return this.hits.subarray(0, n).sort();
  }

  private grow(): void {
    const bigger = new Float64Array(this.hits.length * 2);
    bigger.set(this.hits);
    this.hits = bigger;
  }
}
