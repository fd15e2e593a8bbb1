import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimedQueue } from '../../verifier/classify/timed-queue.ts';

describe('TimedQueue', () => {
  it('takes the first matching entry, drops expired ones from the front, and keeps the rest in order', () => {
    const q = new TimedQueue<{ time: number; id: string }>();
    for (const [time, id] of [[1, 'a'], [2, 'b'], [3, 'c'], [9, 'd']] as const) q.push({ time, id });
    expect(q.take((e) => e.time >= 2)?.id).toBe('b');
    q.dropWhile((e) => e.time < 3);
    expect(q.length).toBe(2);
    expect(q.shift()?.id).toBe('c');
    expect(q.first()?.id).toBe('d');
    expect(q.take((e) => e.time > 100)).toBeUndefined();
  });

  it('behaves as an array with shift, find-and-splice and drop-from-front (a model), across compactions', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 1_000 }) }),
      fc.record({ take: fc.integer({ min: 0, max: 1_000 }) }),
      fc.record({ drop: fc.integer({ min: 0, max: 1_000 }) }),
      fc.constant({ shift: true }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 4_000 }), (ops) => {
        const q = new TimedQueue<{ time: number }>();
        const model: { time: number }[] = [];
        for (const o of ops) {
          if ('push' in o) {
            q.push({ time: o.push });
            model.push({ time: o.push });
          } else if ('take' in o) {
            const i = model.findIndex((e) => e.time >= o.take);
            expect(q.take((e) => e.time >= o.take)).toEqual(i >= 0 ? model.splice(i, 1)[0] : undefined);
          } else if ('drop' in o) {
            q.dropWhile((e) => e.time < o.drop);
            while (model.length > 0 && model[0].time < o.drop) model.shift();
          } else expect(q.shift()).toEqual(model.shift());
          expect(q.length).toBe(model.length);
          expect(q.first()).toEqual(model[0]);
        }
      }),
      { numRuns: 50 },
    );
  });
});
