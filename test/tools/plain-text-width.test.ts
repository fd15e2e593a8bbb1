import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { plainTextWidth } from '../../tools/plain-text-width.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
/** Lines like the ones yargs lays out: every docs page and every command's source. */
const CORPUS = [
  ...readdirSync(`${ROOT}docs`).filter((f) => f.endsWith('.md')).map((f) => `${ROOT}docs/${f}`),
  ...['bin/cli.ts', 'gateway/command.ts', 'mock-broker/command.ts', 'verifier/verify-command.ts', 'scenarios/reproduce/command.ts', 'scenarios/probe/command.ts'].map((f) => ROOT + f),
].flatMap((file) => readFileSync(file, 'utf8').split('\n'));

describe("the help layout's plain-text width agrees with string-width", () => {
  it('on every line of the docs and the command modules it measures, and it measures most of them', () => {
    const measured = CORPUS.filter((line) => plainTextWidth(line) !== undefined);
    for (const line of measured) expect([line, plainTextWidth(line)]).toEqual([line, stringWidth(line)]);
    expect(measured.length).toBeGreaterThan(CORPUS.length * 0.9);
  });

  it('on any text, and it leaves escapes, wide, zero-width and combining characters to string-width', () => {
    const chars = fc.constantFrom(...'aZ ~×é–—…→"\'\u00ad\u200b\u0301\u3042\u{1F600}\x1b[31m\t\u2028\uFE0F\u231a'.split(''));
    fc.assert(
      fc.property(fc.array(chars).map((a) => a.join('')), (text) => {
        const plain = plainTextWidth(text);
        if (plain !== undefined) expect(plain).toBe(stringWidth(text));
      }),
    );
    for (const text of ['\u00ad', 'a\u200bb', 'e\u0301', '\u3042', '\u{1F600}', '\x1b[31mred\x1b[39m', '\u231a']) expect(plainTextWidth(text)).toBeUndefined();
    expect(plainTextWidth('2s–2m × 3', { ambiguousIsNarrow: false })).toBeUndefined();
  });
});
