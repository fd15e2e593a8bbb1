import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { AdapterBurstRule } from '../../verifier/rules/adapter-burst.ts';
import { builtInRules } from '../../verifier/rules/index.ts';
import { MultipleAdaptersRule } from '../../verifier/rules/multiple-adapters.ts';
import { MAX_DETAILED_SUBJECTS } from '../../verifier/rules/subject-map.ts';
import { DEFAULT_OPTIONS } from '../../verifier/verify.ts';

const USERS = 5_000;

/** Each user creates three adapters 20 ms apart, one user every 100 ms. */
function* burstingUsers(): Generator<LogEvent> {
  for (let u = 0; u < USERS; u++) {
    for (let k = 0; k < 3; k++) yield { kind: 'create', time: u * 100 + k * 20, zoned: false, user: `u${u}`, broker: 'angel', ref: { file: 'app.log', line: u * 3 + k + 1 } };
  }
}

describe('rules detail the first subjects and summarise the rest with counts', () => {
  it('adapter-burst: at most MAX_DETAILED_SUBJECTS findings of their own plus one summary that counts the others', () => {
    const rule = new AdapterBurstRule(DEFAULT_OPTIONS);
    for (const ev of burstingUsers()) rule.observe(ev);
    const found = rule.finish();
    const summary = found.filter((f) => /more subject\(s\) with adapter-burst findings, summarised/.test(f.message));
    expect(summary).toHaveLength(1);
    const detailed = found.length - 1;
    expect(detailed).toBeLessThan(USERS);
    expect(summary[0].message).toMatch(new RegExp(`^${USERS - detailed} more subject`));
    expect(found.reduce((n, f) => n + f.count, 0)).toBe(USERS * 3);
  });

  it('multiple-adapters: users past MAX_DETAILED_SUBJECTS share one summarised finding', () => {
    const rule = new MultipleAdaptersRule();
    for (const ev of burstingUsers()) rule.observe(ev);
    const found = rule.finish();
    expect(found).toHaveLength(MAX_DETAILED_SUBJECTS + 1);
    expect(found.at(-1)!.message).toMatch(/^\d+ more time\(s\) a user past the first 1000 held more than one live adapter, summarised/);
  });
});

/** `USERS` users one after another, 20 s apart, each giving the rule the events `perUser` makes at its offset. */
function eachUser(perUser: (u: number, at: number) => Array<Omit<LogEvent, 'zoned' | 'ref' | 'broker' | 'user'>>): LogEvent[] {
  const events: LogEvent[] = [];
  for (let u = 0; u < USERS; u++) {
    for (const e of perUser(u, u * 20_000)) events.push({ zoned: false, user: `u${u}`, broker: 'angel', ref: { file: 'app.log', line: events.length + 1 }, ...e });
  }
  return events;
}

const ruleNamed = (name: string) => builtInRules(DEFAULT_OPTIONS, undefined, (r) => r === name)[0];

/**
 * Every rule that judges users one by one, with events that make each of 5,000 users fire it: each rule
 * details at most MAX_DETAILED_SUBJECTS of them and summarises the rest, keeping the verdict's severity.
 * Odd users of broker-429 and forced-reconnect fire as a warning, even ones as an error: a summary per severity.
 */
const PER_USER_RULES: Array<{ rule: string; severities: string[]; events: (u: number, at: number) => Array<Omit<LogEvent, 'zoned' | 'ref' | 'broker' | 'user'>> }> = [
  { rule: 'broker-429', severities: ['error', 'warning'], events: (u, at) => (u % 2 === 0 ? [{ kind: 'refused', time: at }, { kind: 'refused', time: at + 100 }] : [{ kind: 'refused', time: at }]) },
  { rule: 'rest-rate-limit', severities: ['warning'], events: (_u, at) => [{ kind: 'rest-rate-limit', time: at }] },
  { rule: 'retry-exhausted', severities: ['warning'], events: (_u, at) => [{ kind: 'exhausted', time: at }] },
  { rule: 'auth-failure', severities: ['warning'], events: (_u, at) => [{ kind: 'auth-failure', time: at }] },
  { rule: 'stale-feed', severities: ['warning'], events: (_u, at) => [{ kind: 'stale-feed', time: at }] },
  { rule: 'event-loop-stall', severities: ['warning'], events: (_u, at) => [{ kind: 'loop-stall', time: at }] },
  {
    rule: 'adapter-churn',
    severities: ['error'],
    events: (_u, at) => [0, 1, 2].flatMap((k) => [{ kind: 'teardown' as const, time: at + k * 1_000 }, { kind: 'create' as const, time: at + k * 1_000 + 100 }]),
  },
  { rule: 'dial-with-no-client', severities: ['error'], events: (_u, at) => [{ kind: 'attempt', attempt: 1, count: 0, time: at }] },
  { rule: 'connect-unanswered', severities: ['warning'], events: (_u, at) => [0, 1, 2].map((k) => ({ kind: 'attempt' as const, attempt: 1, time: at + k * 2_000 })) },
  {
    rule: 'forced-reconnect',
    severities: ['error', 'warning'],
    // Even users: three within 15 minutes (periodic, an error). Odd: three spread over an hour (sporadic).
    events: (u, at) => [0, 1, 2].map((k) => ({ kind: 'forced-reconnect' as const, time: at + k * (u % 2 === 0 ? 1_000 : 1_200_000) })),
  },
];

describe('every rule that judges users one by one holds at most MAX_DETAILED_SUBJECTS of them in detail', () => {
  for (const { rule, severities, events } of PER_USER_RULES) {
    it(`${rule}: 5,000 users firing give at most ${MAX_DETAILED_SUBJECTS} detailed findings and a summary per severity`, () => {
      const judged = ruleNamed(rule);
      const all = eachUser(events).sort((a, b) => a.time - b.time);
      for (const ev of all) judged.observe(ev);
      const found = judged.finish(all.at(-1)!.time + 3_600_000);
      const summaries = found.filter((f) => /more subject\(s\) with .* summarised/.test(f.message));
      expect(found.length - summaries.length).toBeLessThanOrEqual(MAX_DETAILED_SUBJECTS);
      expect(summaries.length).toBeGreaterThan(0);
      expect([...new Set(found.map((f) => f.severity))].sort()).toEqual(severities);
      expect([...new Set(summaries.map((f) => f.severity))].sort()).toEqual(severities);
      const subjects = found.length - summaries.length + summaries.reduce((n, f) => n + Number(/^(\d+) more subject/.exec(f.message)![1]), 0);
      expect(subjects, 'every user that fired is detailed or counted in a summary').toBe(USERS);
    });
  }
});
