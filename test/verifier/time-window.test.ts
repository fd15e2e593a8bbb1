import { describe, expect, it } from 'vitest';
import { ConnectUnansweredRule } from '../../verifier/rules/connect-unanswered.ts';
import { RecentCreations } from '../../verifier/rules/recent-creations.ts';
import { DEFAULT_THRESHOLDS } from '../../verifier/rules/thresholds.ts';
import { TimeWindow } from '../../verifier/rules/time-window.ts';

const EVENTS = 200_000;

describe('windows stay cheap when the log clock jumps back', () => {
  it('TimeWindow: a late line inside the span is placed in time order; one older than the span changes nothing', () => {
    const w = new TimeWindow<string>(1_000);
    for (const [t, name] of [[0, 'a'], [500, 'b'], [900, 'c']] as const) w.add(t, name);
    expect(w.add(600, 'late')).toBe(4);
    expect(w.add(-200, 'too late')).toBe(4);
    const order: string[] = [];
    w.newestFirst((x) => (order.push(x), true));
    expect(order).toEqual(['c', 'late', 'b', 'a']);
  });

  // A clock set back by an hour: every later line is older than the window's span before the newest.
  // Placing each one by a walk from the newest cost the whole window per line (minutes here).
  it(`TimeWindow: ${EVENTS.toLocaleString('en')} lines an hour behind ${EVENTS.toLocaleString('en')} in the window take no walk each`, { timeout: 20_000 }, () => {
    const w = new TimeWindow<number>(3_600_000);
    for (let i = 0; i < EVENTS; i++) w.add(3_600_000 + i, i);
    let n = 0;
    for (let i = 0; i < EVENTS; i++) n = w.add(i - 1, i);
    expect(n).toBe(EVENTS);
  });

  it(`RecentCreations: ${EVENTS.toLocaleString('en')} creations an hour behind the newest are not counted and take no walk each`, { timeout: 20_000 }, () => {
    const r = new RecentCreations(3_600_000);
    for (let i = 0; i < EVENTS; i++) r.add(3_600_000 + i, `u${i % 10}`);
    for (let i = 0; i < EVENTS; i++) r.add(i - 1, 'late');
    expect(r.count(3_600_000 + EVENTS, 3_600_000)).toBe(EVENTS);
    expect(r.count(3_600_000 + EVENTS, 3_600_000, 'late')).toBe(0);
  });
});

describe('connect-unanswered stays cheap in a dense storm', () => {
  // A storm of 1,000 unanswered attempts a second keeps 10,000 attempts waiting for their 10 s answer;
  // expiring them by a pass over every waiting attempt at each line cost the whole list per line.
  it('1,000,000 attempts a millisecond apart, none answered, take no pass over the waiting ones each', { timeout: 30_000 }, () => {
    const rule = new ConnectUnansweredRule(DEFAULT_THRESHOLDS);
    for (let i = 0; i < 1_000_000; i++) rule.observe({ kind: 'attempt', attempt: 1, time: i, zoned: false, broker: 'angel', user: `u${i % 3}`, ref: { file: 'storm.log', line: i + 1 } });
    const found = rule.finish(1_000_000 + 60_000);
    expect(found.map((f) => [f.rule, f.severity, f.count])).toEqual([
      ['connect-unanswered', 'error', 333_334],
      ['connect-unanswered', 'error', 333_333],
      ['connect-unanswered', 'error', 333_333],
    ]);
  });
});
