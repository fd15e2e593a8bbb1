import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoToEpoch } from '../../verifier/parse/timestamp.ts';

/** The timestamp read field by field with one Date.UTC call, as it was before the per-second cache. */
function reference(date: string, fraction: string | undefined, zone: string | undefined): number | undefined {
  const [y, mo, d, h, mi, s] = [[0, 4], [5, 7], [8, 10], [11, 13], [14, 16], [17, 19]].map(([a, b]) => Number(date.slice(a, b)));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) return undefined;
  let time = Date.UTC(y!, mo! - 1, d, h, mi, s, fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    time -= (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  }
  return Number.isFinite(time) ? time : undefined;
}

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
const dateArb = fc
  .tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(13), two(32), two(24), two(60), two(61), fc.constantFrom(' ', 'T'))
  .map(([y, mo, d, h, mi, s, sep]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}`);
/** Dates a few seconds or minutes apart, as consecutive log lines have them. */
const nearDateArb = fc.tuple(fc.integer({ min: 58, max: 59 }), fc.integer({ min: 58, max: 61 })).map(([mi, s]) => `2025-11-11 09:${mi}:${s}`);

describe('isoToEpoch', () => {
  it('reads every date, fraction and zone as one Date.UTC call does, also when consecutive lines share their second', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(dateArb, nearDateArb),
            fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
            fc.constantFrom(undefined, 'Z', '+05:30', '-0800', '+01'),
            fc.nat(3),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (stamps) => {
          for (const [date, fraction, zone, repeat] of stamps) {
            for (let r = 0; r <= repeat; r++) expect(isoToEpoch(date, fraction, zone)).toBe(reference(date, fraction, zone));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every three-digit fraction gives the milliseconds the general formula gives', () => {
    for (let i = 0; i < 1000; i++) {
      const f = String(i).padStart(3, '0');
      expect(isoToEpoch('2025-11-11 09:45:49', f, undefined)).toBe(reference('2025-11-11 09:45:49', f, undefined));
    }
  });
});
