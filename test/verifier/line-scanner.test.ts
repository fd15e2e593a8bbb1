import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keywordFinder } from '../../verifier/input/keyword-finder.ts';
import { LineScanner, MAX_LINE_BYTES, type LineRole, type ScannedLine, type ScanSink } from '../../verifier/input/line-scanner.ts';
import { cut } from '../support/cut-buffer.ts';

/** Collects what the scanner hands on, copying the bytes (they are only valid during the callback). */
function collect(chunks: Buffer[], keywords = ['Creat']): { lines: number; candidates: Array<{ lineNo: number; text: string; head?: number }>; truncated: number } {
  const candidates: Array<{ lineNo: number; text: string; head?: number }> = [];
  const sink: ScanSink = {
    judge: (): LineRole => 'unknown',
    candidate: (line: ScannedLine, _role: LineRole, head: ScannedLine | undefined) => {
      candidates.push({ lineNo: line.lineNo, text: line.buf.toString('latin1', line.start, line.end), head: head?.lineNo });
    },
  };
  const scanner = new LineScanner(keywordFinder(keywords), sink, false, true);
  for (const c of chunks) scanner.push(c);
  scanner.end();
  return { lines: scanner.counts.lines, candidates, truncated: scanner.counts.truncated };
}

describe('line scanner', () => {
  it('finds the same lines and line numbers however the input is chunked', () => {
    const line = fc.oneof(
      fc.constant('[2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel'),
      fc.constant('[2025-11-11 09:45:49,180] DEBUG in server: tick'),
      fc.constant('  File "x.py", line 1, in Creat'),
      fc.constant(''),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), fc.boolean(), fc.array(fc.nat(5000), { maxLength: 8 }), (lines, crlf, finalNewline, cuts) => {
        const body = lines.join(crlf ? '\r\n' : '\n') + (finalNewline && lines.length > 0 ? (crlf ? '\r\n' : '\n') : '');
        const buf = Buffer.from(body, 'latin1');
        const whole = collect([buf]);
        const chunked = collect(cut(buf, cuts));
        expect(chunked).toEqual(whole);
        // A newline ends a line; it does not start an empty one.
        const expected = body === '' ? [] : body.split(crlf ? '\r\n' : '\n');
        if (body.endsWith('\n')) expected.pop();
        expect(whole.lines).toBe(expected.length);
        expect(whole.candidates.map((c) => c.text)).toEqual(expected.filter((l) => l.includes('Creat')));
        expect(whole.candidates.map((c) => c.lineNo)).toEqual(expected.flatMap((l, i) => (l.includes('Creat') ? [i + 1] : [])));
      }),
    );
  });

  it('links a continuation line to the record above it, across chunks', () => {
    const text = '[2025-11-11 09:45:49,179] ERROR in a: boom\nTraceback (most recent call last):\n  Creat in traceback\n';
    const { candidates } = collect(cut(Buffer.from(text), [10, 50, 60]));
    expect(candidates).toEqual([{ lineNo: 3, text: '  Creat in traceback', head: 1 }]);
  });

  it('cuts a line longer than 1 MiB, counts it, and reads the next line whole', () => {
    const long = Buffer.alloc(3 * MAX_LINE_BYTES, 'a');
    long.write('Creat', 10);
    const next = Buffer.from('\n[2025-11-11 09:45:49,179] INFO in x: Creating NEW angel adapter for user u\n');
    const chunks = [...cut(long, [65_536, 1_500_000, 2_900_000]), next];
    const { lines, candidates, truncated } = collect(chunks);
    expect(truncated).toBe(1);
    expect(lines).toBe(2);
    expect(candidates).toHaveLength(2);
    expect(candidates[0].text).toHaveLength(MAX_LINE_BYTES);
    expect(candidates[1]).toMatchObject({ lineNo: 2, text: expect.stringContaining('Creating NEW') });
  });
});
