import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANDIDATE_KEYWORDS } from '../../verifier/classify/templates.ts';
import { NativeKeywordFinder } from '../../verifier/input/native-keyword-finder.ts';
import { SimdKeywordFinder } from '../../verifier/input/simd-keyword-finder.ts';
import { LineScanner, MAX_LINE_BYTES, type LineRole, type ScannedLine, type ScanSink } from '../../verifier/input/line-scanner.ts';
import { cut } from '../support/cut-buffer.ts';

const KEYWORDS = CANDIDATE_KEYWORDS;
const NL = 0x0a;
const CR = 0x0d;

/** Lines that sit on every edge of the role test: heads, near-heads, short lines, CRs, bad and wide UTF-8, keywords. */
function linesArb(): fc.Arbitrary<Buffer[]> {
  const ascii = (s: string) => Buffer.from(s, 'latin1');
  const piece = fc.oneof(
    fc.constantFrom(...KEYWORDS).map(ascii),
    fc.constantFrom(
      '[2025-11-11 09:45:49,179] INFO in x: ',
      '2025-11-11T09:45:49Z ',
      '[20-',
      '2025-1',
      '202-5',
      '[2025-1',
      '1234-56',
      '[12ab-cdef',
      '  File "x.py", line 1',
      '\t',
      ' ',
      '\r',
      'Traceback (most recent call last):',
      'Conn',
      'Crea',
      '(s',
    ).map(ascii),
    fc.constantFrom('é', '✅', '\u2028').map((s) => Buffer.from(s, 'utf8')),
    fc.constantFrom([0xff], [0xc3], [0xe2, 0x9c], [0x80]).map((b) => Buffer.from(b)),
    fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b.filter((x) => x !== NL))),
  );
  return fc.array(fc.array(piece, { maxLength: 6 }).map((ps) => Buffer.concat(ps)), { maxLength: 40 });
}

function join(lines: Buffer[], crlf: boolean, finalNewline: boolean): Buffer {
  const sep = Buffer.from(crlf ? '\r\n' : '\n');
  const parts = lines.flatMap((l, i) => (i < lines.length - 1 || finalNewline ? [l, sep] : [l]));
  return Buffer.concat(parts);
}

/** Everything a scanner tells its sink, with the bytes copied; the judge decides by the line's first byte. */
function scan(finder: NativeKeywordFinder | SimdKeywordFinder, chunks: Buffer[], textHeads: boolean) {
  const seen: unknown[] = [];
  const text = (l: ScannedLine) => l.buf.toString('latin1', l.start, l.end);
  const sink: ScanSink = {
    judge: (line): LineRole => {
      seen.push(['judge', line.lineNo, text(line)]);
      const roles: LineRole[] = ['head', 'continuation', 'unknown'];
      return roles[(line.end > line.start ? line.buf[line.start]! : 0) % 3]!;
    },
    candidate: (line, role, head) => {
      seen.push(['candidate', line.lineNo, text(line), role, head?.lineNo, head && text(head)]);
    },
  };
  const scanner = new LineScanner(finder, sink, false, textHeads);
  for (const c of chunks) scanner.push(Buffer.from(c));
  scanner.end();
  return { seen, counts: scanner.counts, lastHead: scanner.lastHead()?.lineNo };
}

/** The roles a line's first bytes settle, as the line-by-line walk decides them. */
function naiveRole(line: Buffer, textHeads: boolean): 'head' | 'continuation' | 'judge' {
  const e = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  if (e === 0 || line[0] === 0x20 || line[0] === 0x09) return 'continuation';
  if (e < 8 || !textHeads) return 'judge';
  const digit = (i: number) => line[i]! >= 0x30 && line[i]! <= 0x39;
  if (line[0] === 0x5b && digit(1) && digit(2) && line[5] === 0x2d) return 'head';
  if (digit(0) && digit(1) && digit(3) && line[4] === 0x2d) return 'head';
  return 'judge';
}

describe('one pass over lines (keyword-scan.wat scan_lines)', () => {
  it('counts lines, heads, continuations, long lines and non-ASCII bytes, and lists the lines to judge and those with keywords, as a naive walk does', () => {
    const finder = new SimdKeywordFinder(KEYWORDS);
    const kws = KEYWORDS.map((k) => Buffer.from(k, 'latin1'));
    fc.assert(
      fc.property(linesArb(), fc.boolean(), fc.boolean(), fc.integer({ min: 32, max: 60 }), fc.nat(40), (lines, crlf, textHeads, maxLine, lead) => {
        const region = join(lines, crlf, false);
        // The region sits at an offset inside a larger buffer, as it does in a read chunk.
        const buf = Buffer.concat([Buffer.alloc(lead, 'Creat\n'), region, Buffer.from('\nCreat')]);
        const got = finder.scanLines(buf, lead, lead + region.length, textHeads, maxLine);
        const split: Buffer[] = [];
        for (let s = 0; ; ) {
          const nl = region.indexOf(NL, s);
          split.push(region.subarray(s, nl < 0 ? region.length : nl));
          if (nl < 0) break;
          s = nl + 1;
        }
        const starts = split.reduce<number[]>((acc, _line, i) => [...acc, i === 0 ? 0 : acc[i - 1]! + split[i - 1]!.length + 1], []);
        const roles = split.map((l) => naiveRole(l, textHeads));
        expect(got.lines).toBe(split.length);
        expect(got.heads).toBe(roles.filter((r) => r === 'head').length);
        expect(got.continuations).toBe(roles.filter((r) => r === 'continuation').length);
        expect(got.ascii).toBe(region.every((b) => b < 0x80));
        expect(got.overLong).toBe(split.filter((l) => (l.length > 0 && l[l.length - 1] === CR ? l.length - 1 : l.length) > maxLine).length);
        expect([...got.judge]).toEqual(roles.flatMap((r, i) => (r === 'judge' ? [starts[i]!, i] : [])));
        const bits = split.map((l) => kws.reduce((acc, k, b) => (l.includes(k) ? acc | (1 << b) : acc), 0));
        expect([...got.hits]).toEqual(bits.flatMap((b, i) => (b !== 0 ? [starts[i]!, i, b >>> 0] : [])));
      }),
      { numRuns: 600 },
    );
  });

  it('the line scanner hands on the same lines, roles, heads and counts from the pass as from a line-by-line walk, however the input is chunked', () => {
    const simd = new SimdKeywordFinder(KEYWORDS);
    fc.assert(
      fc.property(linesArb(), fc.boolean(), fc.boolean(), fc.boolean(), fc.array(fc.nat(4000), { maxLength: 8 }), (lines, crlf, finalNewline, textHeads, cuts) => {
        const buf = join(lines, crlf, finalNewline);
        const walked = scan(new NativeKeywordFinder(KEYWORDS), [buf], textHeads);
        expect(scan(simd, [buf], textHeads)).toEqual(walked);
        expect(scan(simd, cut(buf, cuts), textHeads)).toEqual(walked);
      }),
      { numRuns: 400 },
    );
  });

  it('a line longer than 1 MiB inside one large buffer is cut and counted as the walk does it', () => {
    const long = Buffer.alloc(MAX_LINE_BYTES + 100, 'a');
    long.write('Creat', MAX_LINE_BYTES + 10);
    const buf = Buffer.concat([Buffer.from('[2025-11-11 09:45:49,179] ERROR in a: boom\n'), long, Buffer.from('\r\n  Creat\n')]);
    const walked = scan(new NativeKeywordFinder(KEYWORDS), [buf], true);
    expect(walked.counts.truncated).toBe(1);
    expect(scan(new SimdKeywordFinder(KEYWORDS), [buf], true)).toEqual(walked);
  });
});
