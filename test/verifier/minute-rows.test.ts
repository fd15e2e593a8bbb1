import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { BoundedReport } from '../../verifier/bounded-report.ts';
import { MAX_MINUTE_ROWS, MinuteRows } from '../../verifier/minute-rows.ts';
import { Timeline } from '../../verifier/timeline.ts';

const MINUTE = 60_000;
const attempt = (time: number): LogEvent => ({ kind: 'attempt', attempt: 1, time, zoned: false, broker: 'angel', ref: { file: 'app.log', line: 1 } });

describe('the per-minute timeline stays bounded whatever the span of the log', () => {
  it('past MAX_MINUTE_ROWS distinct minutes, rows widen to 2, 4, … minutes (widthMinutes), keeping every count', () => {
    const t = new Timeline();
    const minutes = MAX_MINUTE_ROWS * 3;
    for (let m = 0; m < minutes; m++) t.observe(attempt(m * MINUTE));
    const rows = t.rows();
    expect(rows.length).toBeLessThanOrEqual(MAX_MINUTE_ROWS);
    expect(rows[0]).toMatchObject({ minute: '1970-01-01T00:00', widthMinutes: 4, attempts: 4 });
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(minutes);
  });

  it('the run timeline of many groups stays bounded too, and a wide row of a group lands in one run row', () => {
    const out = new BoundedReport();
    const wide = new Timeline();
    for (let m = 0; m < MAX_MINUTE_ROWS * 2; m++) wide.observe(attempt(m * MINUTE));
    const narrow = new Timeline();
    narrow.observe(attempt(5 * MINUTE));
    for (const t of [narrow, wide]) out.addGroup({ name: 'g', files: [], verdict: 'pass', findings: 0, timeline: t.rows(), seconds: [] }, [], []);
    const rows = out.timeline();
    expect(rows.length).toBeLessThanOrEqual(MAX_MINUTE_ROWS);
    expect(rows[0]).toMatchObject({ minute: '1970-01-01T00:00', widthMinutes: 2, attempts: 2 });
    expect(rows[2]).toMatchObject({ minute: '1970-01-01T00:04', attempts: 3 });
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(MAX_MINUTE_ROWS * 2 + 1);
  });

  it('agrees with exact per-minute counts summed over each row, in time order, for any minutes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (minutes, limit) => {
        const rows = new MinuteRows(limit);
        for (const m of minutes) rows.add(m, 'attempts', 1);
        const out = rows.rows();
        expect(out.length).toBeLessThanOrEqual(limit);
        for (const r of out) {
          const start = Date.parse(`${r.minute}Z`) / MINUTE;
          const width = r.widthMinutes ?? 1;
          expect(r.attempts).toBe(minutes.filter((m) => m >= start && m < start + width).length);
        }
        expect(out.reduce((n, r) => n + r.attempts, 0)).toBe(minutes.length);
        expect(out.map((r) => r.minute)).toEqual([...out.map((r) => r.minute)].sort());
      }),
    );
  });
});
