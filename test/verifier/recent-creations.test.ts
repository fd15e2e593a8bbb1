import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentCreations, RecentCreationsByBroker } from '../../verifier/rules/recent-creations.ts';
import { TimeWindow } from '../../verifier/rules/time-window.ts';

/** The walk connect-storm did before: every creation kept in a time window, visited newest first. */
function naiveCount(window: TimeWindow<{ time: number; user?: string }>, time: number, spanMs: number, user: string | undefined, distinct: boolean): number {
  const users = new Set<string>();
  let n = 0;
  window.newestFirst((c) => {
    if (time - c.time > spanMs) return false;
    if (c.time <= time && (user === undefined || c.user === user)) {
      n++;
      users.add(c.user ?? '');
    }
    return true;
  });
  return distinct ? users.size : n;
}

const user = fc.constantFrom(undefined, 'u1', 'u2', 'u3', 'ü4');

describe('RecentCreations counts creations near an attempt as the walk over every creation did', () => {
  it('agrees with the walk on mostly ordered logs with late lines, for counts and distinct users', () => {
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ create: fc.integer({ min: -200, max: 400 }), user }) },
      { weight: 2, arbitrary: fc.record({ query: fc.integer({ min: -300, max: 400 }), span: fc.constantFrom(100, 1_000, 3_000), user, distinct: fc.boolean() }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 200, maxLength: 3_000 }), fc.constantFrom(1_000, 3_000), (steps, keepMs) => {
        const fast = new RecentCreations(keepMs);
        const naive = new TimeWindow<{ time: number; user?: string }>(keepMs);
        let clock = 0;
        for (const s of steps) {
          // Time moves forward by the drawn amount when positive; a negative one is a late line.
          if ('create' in s) {
            const time = Math.max(0, clock + s.create);
            clock = Math.max(clock, time);
            fast.add(time, s.user);
            naive.add(time, { time, ...(s.user === undefined ? {} : { user: s.user }) });
          } else {
            const time = Math.max(0, clock + s.query);
            clock = Math.max(clock, time);
            const got = s.distinct ? fast.distinctUsers(time, s.span, s.user) : fast.count(time, s.span, s.user);
            expect(got).toBe(naiveCount(naive, time, s.span, s.user, s.distinct));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a user with one creation counts it up to exactly the span after it, as with several', () => {
    const fast = new RecentCreations(60_000);
    fast.add(1_000, 'solo');
    fast.add(1_000, 'pair');
    fast.add(1_500, 'pair');
    expect([fast.count(11_000, 10_000, 'solo'), fast.count(11_001, 10_000, 'solo'), fast.count(999, 10_000, 'solo')]).toEqual([1, 0, 0]);
    expect([fast.count(11_000, 10_000, 'pair'), fast.count(11_001, 10_000, 'pair')]).toEqual([2, 1]);
    expect([fast.distinctUsers(11_000, 10_000, 'solo'), fast.distinctUsers(11_001, 10_000, 'solo')]).toEqual([1, 0]);
    fast.add(70_000, 'other');
    expect(fast.count(70_000, 70_000, 'solo')).toBe(0);
  });

  it('ten minutes of 100 creations a second with an attempt after each: the window slides and compacts', () => {
    const fast = new RecentCreations(60_000);
    for (let i = 0; i < 60_000; i++) {
      fast.add(i * 10, `u${i % 5}`);
      expect(fast.distinctUsers(i * 10, 10_000)).toBe(Math.min(5, i + 1));
    }
    expect(fast.count(599_990, 60_000)).toBe(6_001);
    expect(fast.count(599_990, 10_000, 'u1')).toBe(200);
  });
});

describe('RecentCreationsByBroker lets go of quiet brokers without changing a count', () => {
  it('agrees with one RecentCreations per broker kept for ever, across sweeps of thousands of brokers', () => {
    const keepMs = 1_000;
    const swept = new RecentCreationsByBroker(keepMs);
    const kept = new Map<string, RecentCreations>();
    // 5,000 brokers, one new every 10 ms, each creating twice; a few old ones come back.
    for (let i = 0; i < 5_000; i++) {
      const time = i * 10;
      const broker = i % 97 === 0 && i > 500 ? `b${i - 500}` : `b${i}`;
      for (const t of [time, time + 5]) {
        swept.add(broker, t, 'u1');
        if (!kept.has(broker)) kept.set(broker, new RecentCreations(keepMs));
        kept.get(broker)!.add(t, 'u1');
      }
      for (const asked of [broker, `b${i - 50}`, `b${i - 150}`]) {
        expect(swept.get(asked)?.count(time + 5, keepMs) ?? 0, asked).toBe(kept.get(asked)?.count(time + 5, keepMs) ?? 0);
      }
    }
  });
});
