import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { MAX_SECOND_ROWS, MAX_TIMELINE_SUBJECTS, Timeline } from '../../verifier/timeline.ts';

const attempt = (time: number, user?: string): LogEvent => ({ kind: 'attempt', attempt: 1, time, zoned: false, broker: 'angel', user, ref: { file: 'app.log', line: 1 } });

describe('Timeline stays bounded', () => {
  it('past MAX_SECOND_ROWS distinct seconds the rows coarsen to wider buckets, keeping every count', () => {
    const t = new Timeline();
    const seconds = MAX_SECOND_ROWS * 5;
    for (let s = 0; s < seconds; s++) t.observe(attempt(s * 1000));
    const rows = t.secondRows();
    expect(rows.length).toBeLessThanOrEqual(MAX_SECOND_ROWS);
    expect(rows[0].widthSeconds).toBe(8);
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(seconds);
    expect(t.rows().reduce((n, m) => n + m.attempts, 0)).toBe(seconds);
  });

  it('past MAX_TIMELINE_SUBJECTS subjects, the rest share one row per second', () => {
    const t = new Timeline();
    for (let u = 0; u < MAX_TIMELINE_SUBJECTS + 50; u++) t.observe(attempt(0, `u${u}`));
    const rows = t.secondRows();
    expect(rows.filter((r) => r.user !== undefined)).toHaveLength(MAX_TIMELINE_SUBJECTS);
    expect(rows.find((r) => r.otherSubjects)).toMatchObject({ attempts: 50 });
  });
});
