/**
 * Where `keywords` occur in buf[start, end), sorted. Self-contained (no imports, no inner functions)
 * because the keyword-search worker runs its source text: the same code then serves from TypeScript
 * under tsx and vitest and from the built JavaScript, with no loader in the worker.
 */
export function findKeywordHits(buf: Buffer, start: number, end: number, keywords: readonly Buffer[], scratch: Float64Array): Float64Array {
  let hits = scratch;
  let n = 0;
  for (const kw of keywords) {
    let p = buf.indexOf(kw, start);
    while (p >= 0 && p < end) {
      if (n === hits.length) {
        const bigger = new Float64Array(hits.length * 2);
        bigger.set(hits);
        hits = bigger;
      }
      hits[n++] = p;
      p = buf.indexOf(kw, p + kw.length);
    }
  }
  return hits.subarray(0, n).sort();
}
