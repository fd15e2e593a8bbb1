import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSON_CHUNK_CHARS, jsonDocumentChunks } from '../../verifier/reporters/json-chunks.ts';
import { oneStringJson } from '../support/one-string-json.ts';

// Any UTF-16 code unit (so lone surrogates), whole astral characters, and the characters JSON escapes.
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u2028', '\u2029', '\ud83d\ude00', '\ud800', '\udfff', '"', '\\', '\n', '\t', '\u0000', '\u007f', '</script>'),
);
const text = fc.string({ unit, maxLength: 12 });
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 1e21, 2 ** 53 + 2, -1.5e-7, 0.1 + 0.2, Number.MAX_VALUE, Number.MIN_VALUE));
const leaf = fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: false }), fc.constant(() => 1), fc.constant(Symbol('s')));
// Keys that look like array indices are listed first by Object.keys; the writer must follow that order too.
const key = fc.oneof(text, fc.nat({ max: 20 }).map(String));

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

describe('the JSON streaming writer of the json and sarif reporters', () => {
  it('writes exactly JSON.stringify(value, null, 2) with U+2028 and U+2029 escaped, and a final newline', () => {
    fc.assert(
      fc.property(value.filter((v) => JSON.stringify(v) !== undefined), (v) => {
        expect([...jsonDocumentChunks(v)].join('')).toBe(oneStringJson(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes a report-sized value in chunks of about its chunk size, not as one string', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ second: `2025-11-11T09:45:${i}`, subject: 'u\u2028', creations: i, gone: undefined }));
    const chunks = [...jsonDocumentChunks({ timeline: rows, empty: {}, none: [] })];
    expect(chunks.join('')).toBe(oneStringJson({ timeline: rows, empty: {}, none: [] }));
    expect(chunks.length).toBeGreaterThan(10);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(2 * JSON_CHUNK_CHARS);
  });

  it('refuses a cycle as JSON.stringify does', () => {
    const cyclic: Record<string, unknown> = { a: [1] };
    (cyclic.a as unknown[]).push(cyclic);
    expect(() => JSON.stringify(cyclic)).toThrow(TypeError);
    expect(() => [...jsonDocumentChunks(cyclic)]).toThrow(TypeError);
  });
});
