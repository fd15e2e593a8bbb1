import { describe, expect, it } from 'vitest';
import { parseTimeBound, resolveBounds } from '../../verifier/time-bounds.ts';

describe('--since/--until values', () => {
  it('reads ISO dates and times, naive as UTC, zoned by their zone', () => {
    expect(parseTimeBound('2026-01-05')).toEqual({ at: Date.UTC(2026, 0, 5) });
    expect(parseTimeBound('2026-01-05T09:15')).toEqual({ at: Date.UTC(2026, 0, 5, 9, 15) });
    expect(parseTimeBound('2026-01-05 09:15:30.250')).toEqual({ at: Date.UTC(2026, 0, 5, 9, 15, 30, 250) });
    expect(parseTimeBound('2026-01-05T09:15:00+05:30')).toEqual({ at: Date.UTC(2026, 0, 5, 3, 45) });
  });

  it('reads durations only with their unit, relative to the newest line', () => {
    expect(parseTimeBound('2h')).toEqual({ beforeNewest: 2 * 3_600_000 });
    expect(parseTimeBound('90m')).toEqual({ beforeNewest: 90 * 60_000 });
    expect(resolveBounds({ beforeNewest: 1000 }, { at: 5 }, 10_000)).toEqual({ since: 9000, until: 5 });
  });

  it('rejects anything else', () => {
    for (const bad of ['120', 'yesterday', '2026-13-01', '2026-01-05T25:00', '']) expect(parseTimeBound(bad), bad).toBeUndefined();
  });
});
