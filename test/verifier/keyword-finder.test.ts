import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWat } from '../../tools/compile-wat.ts';
import { CANDIDATE_KEYWORDS } from '../../verifier/classify/templates.ts';
import type { KeywordFinder } from '../../verifier/input/keyword-finder.ts';
import { NativeKeywordFinder } from '../../verifier/input/native-keyword-finder.ts';
import { SimdKeywordFinder, simdAvailable } from '../../verifier/input/simd-keyword-finder.ts';

const WAT = new URL('../../verifier/input/keyword-scan.wat', import.meta.url);

/** Every position of buf[start, end) where one of the keywords begins and ends inside the range. */
function naive(keywords: readonly string[], buf: Buffer, start: number, end: number): number[] {
  const kws = keywords.map((k) => Buffer.from(k, 'latin1'));
  const out: number[] = [];
  for (let p = start; p < end; p++) {
    if (kws.some((k) => p + k.length <= end && buf.subarray(p, p + k.length).equals(k))) out.push(p);
  }
  return out;
}

/** Text made of keywords, pieces of keywords (their first bytes, so the prefilter's nibbles collide) and any bytes. */
function textArb(keywords: readonly string[]): fc.Arbitrary<Buffer> {
  const kw = fc.constantFrom(...keywords);
  const piece = fc.oneof(
    kw,
    kw.chain((k) => fc.integer({ min: 1, max: k.length - 1 }).map((n) => k.slice(0, n))),
    kw.map((k) => k.toLowerCase()),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.constantFrom('\n', ' ', '2025-11-03 ', 'Connected', '4', '40', '42', '(', '(S)', 'x', 'Ma'),
  );
  return fc.array(piece, { maxLength: 120 }).map((ps) => Buffer.from(ps.join(''), 'latin1'));
}


describe('keyword finders', () => {
  it('the committed keyword-scan.wasm is the compilation of keyword-scan.wat (rebuild with npm run build:wasm)', async () => {
    const committed = await readFile(new URL('../../verifier/input/keyword-scan.wasm', import.meta.url));
    expect(Buffer.from(await compileWat(WAT.pathname)).equals(committed)).toBe(true);
  });

  it('SIMD runs here, so the verifier does not fall back to one native search per keyword', () => {
    expect(simdAvailable()).toBe(true);
  });

  it('native (the fallback under --jitless): finds exactly the positions where a candidate keyword begins, in any sub-range', () => {
    const finder: KeywordFinder = new NativeKeywordFinder(CANDIDATE_KEYWORDS);
    fc.assert(
      fc.property(textArb(CANDIDATE_KEYWORDS), fc.nat(), fc.nat(), (buf, a, b) => {
        const start = a % (buf.length + 1);
        const end = start + (b % (buf.length - start + 1));
        expect(Array.from(finder.find(buf, start, end))).toEqual(naive(CANDIDATE_KEYWORDS, buf, start, end));
      }),
      { numRuns: 400 },
    );
  });

  it('simd: a region far larger than the pass memory grows it and still finds the keywords at both ends', () => {
    const finder = new SimdKeywordFinder(CANDIDATE_KEYWORDS);
    const buf = Buffer.from(`${'z'.repeat(99)}\n`.repeat(30_000));
    buf.write('Creating', 5);
    buf.write('HTTP 429', buf.length - 9);
    const big = finder.scanLines(buf, 0, buf.length - 1, true, 1 << 20);
    expect(big.lines).toBe(30_000);
    expect([big.hits[0], big.hits[1], big.hits[3], big.hits[4]]).toEqual([0, 0, buf.length - 100, 29_999]);
    expect(big.hits.length).toBe(6);
    // and a small region after it reuses the grown memory without reading the old region's bytes
    const small = Buffer.from('Max reconnect');
    expect(Array.from(finder.scanLines(small, 0, small.length, true, 1 << 20).hits.subarray(0, 2))).toEqual([0, 0]);
    expect(finder.scanLines(small, 0, small.length, true, 1 << 20).hits.length).toBe(3);
  });

  it('simd: refuses keywords its three-byte prefilter cannot represent', () => {
    expect(() => new SimdKeywordFinder(['ab'])).toThrow(/at least 3 bytes/);
    expect(() => new SimdKeywordFinder(['a\tb'])).toThrow(/none below 0x10/);
  });
});
