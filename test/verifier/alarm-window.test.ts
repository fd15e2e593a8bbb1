import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { AlarmWindow } from '../../verifier/alarm/alarm-window.ts';
import { DEFAULT_OPTIONS } from '../../verifier/verify.ts';

/** Six fresh attempts within one second of log time, stamped `logMs`: a connect-storm. */
function storm(logMs: number): LogEvent[] {
  return Array.from({ length: 6 }, (_, i) => ({ kind: 'attempt', attempt: 1, time: logMs + i * 10, zoned: false, broker: 'angel', ref: { file: 'app.log', line: i + 1 } }));
}

describe('AlarmWindow judges over arrival time', () => {
  it('a storm raises findings at once and clears between one window and one window and a slice after its last line arrived', () => {
    let now = 1_000_000;
    const alarm = new AlarmWindow(DEFAULT_OPTIONS, {}, 60_000, () => now, 4);
    expect(alarm.findings()).toEqual([]);
    for (const ev of storm(0)) alarm.observe(ev);
    expect(alarm.findings().map((f) => f.rule)).toContain('connect-storm');
    now += 59_000;
    expect(alarm.findings().map((f) => f.rule)).toContain('connect-storm');
    now += 60_000 / 4 + 1_001;
    expect(alarm.findings()).toEqual([]);
  });

  it('an old log replayed now still raises the alarm: log timestamps do not decide the window', () => {
    let now = Date.UTC(2026, 11, 7);
    const alarm = new AlarmWindow(DEFAULT_OPTIONS, {}, 15 * 60_000, () => now);
    now += 3_600_000;
    for (const ev of storm(Date.UTC(2025, 10, 11, 9, 45))) alarm.observe(ev);
    expect(alarm.findings().map((f) => f.rule)).toContain('connect-storm');
  });

  it('unanswered attempts at the end of a followed log are judged once the log has had answer-time of quiet, not before', () => {
    let now = 1_000_000;
    const alarm = new AlarmWindow(DEFAULT_OPTIONS, {}, 15 * 60_000, () => now);
    for (const [i, logMs] of [0, 4_000, 8_000].entries()) {
      alarm.observe({ kind: 'attempt', attempt: i + 1, time: logMs, zoned: false, broker: 'angel', ref: { file: 'app.log', line: i + 1 } });
    }
    now += DEFAULT_OPTIONS.answerMs;
    expect(alarm.findings()).toEqual([]);
    now += 1;
    expect(alarm.findings()).toEqual([expect.objectContaining({ rule: 'connect-unanswered', count: 3, broker: 'angel' })]);
  });
});
