import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LineRef } from '../../verifier/classify/log-event.ts';
import { FindingBuilder } from '../../verifier/rules/finding-builder.ts';
import { TimeWindow } from '../../verifier/rules/time-window.ts';

type Line = { time: number; zoned: boolean; ref: LineRef };

/** The model: every line a crossing's newest-first walk reached is remembered in a set. */
function modelBurst(counted: Set<Line>, window: TimeWindow<Line>, into: FindingBuilder): void {
  window.newestFirst((e) => {
    if (counted.has(e)) return false;
    counted.add(e);
    into.add(e.time, e.zoned, e.ref);
    return true;
  });
}

describe('FindingBuilder.addBurst counts each line of its window once', () => {
  it('agrees with a set of the lines counted, late lines inserted in place included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -3_000, max: 2_000 }), fc.boolean()), { maxLength: 300 }), (steps) => {
        const window = new TimeWindow<Line>(5_000);
        const built = new FindingBuilder('r', 'error');
        const model = new FindingBuilder('r', 'error');
        const counted = new Set<Line>();
        let clock = 0;
        steps.forEach(([delta, crossing], i) => {
          clock = Math.max(0, clock + delta);
          window.add(clock, { time: clock, zoned: false, ref: { file: 'a.log', line: i + 1 } });
          if (!crossing) return;
          built.addBurst(window);
          modelBurst(counted, window, model);
        });
        expect(built.count).toBe(model.count);
        if (model.count > 0) expect(built.build('m')).toEqual(model.build('m'));
      }),
      { numRuns: 500 },
    );
  });
});
