import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { TimeOrderedEvents } from '../../verifier/time-ordered-events.ts';

const mergeFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('stormcheck-merge-'));

function event(time: number, line: number, user?: string): LogEvent {
  return { kind: 'create', time, zoned: false, broker: 'angel', ...(user === undefined ? {} : { user }), ref: { file: 'app.log', line } };
}

describe('TimeOrderedEvents: --merge hands events to the rules in time order without holding them all', () => {
  it('gives the same order as a stable sort by time, whether it spills sorted runs to disk or not', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (times, perRun) => {
        const events = times.map((t, i) => event(t, i + 1, i % 3 === 0 ? `ü${i}` : undefined));
        const store = new TimeOrderedEvents(perRun);
        for (const ev of events) store.add(ev);
        const expected = [...events].sort((a, b) => a.time - b.time);
        expect([...store.drain()]).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('writes runs to a temporary folder past its limit and removes the folder when drained', () => {
    const before = mergeFolders();
    const store = new TimeOrderedEvents(10);
    for (let i = 0; i < 95; i++) store.add(event(95 - i, i + 1, 'u'.repeat(i % 7) + '名'));
    expect(mergeFolders().length).toBe(before.length + 1);
    const out = [...store.drain()];
    expect(out.map((ev) => ev.time)).toEqual(Array.from({ length: 95 }, (_, i) => i + 1));
    expect(out[0].user).toBe('u'.repeat(94 % 7) + '名');
    expect(mergeFolders()).toEqual(before);
  });

  it('removes its folder when a consumer stops early (an error in a rule)', () => {
    const before = mergeFolders();
    const store = new TimeOrderedEvents(5);
    for (let i = 0; i < 20; i++) store.add(event(i, i + 1));
    for (const ev of store.drain()) if (ev.time === 3) break;
    expect(mergeFolders()).toEqual(before);
  });
});
