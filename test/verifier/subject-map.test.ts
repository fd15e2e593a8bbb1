import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { AdapterBurstRule } from '../../verifier/rules/adapter-burst.ts';
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
