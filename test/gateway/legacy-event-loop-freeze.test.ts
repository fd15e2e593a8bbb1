import { describe, expect, it } from 'vitest';
import type { Clock } from '../../gateway/clock.ts';
import { EventLoopFreeze } from '../../gateway/legacy/event-loop-freeze.ts';
import { FakeClock } from '../support/gateway-fakes.ts';

/** Moves the fake clock, then lets the promises its timers resolved run. */
async function tick(time: FakeClock, ms: number): Promise<void> {
  time.advance(ms);
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * A clock whose timers fire a millisecond early where they can, as `--time-scale` rounding and Node's
 * timers do against `Date.now`: the freeze must wait again, not take the early wake-up for the end.
 */
function earlyClock(time: FakeClock): Clock {
  return { now: () => time.now(), after: (ms, fn) => time.after(ms >= 2 ? ms - 1 : ms, fn) };
}

describe('the legacy event-loop freeze', () => {
  it('ends when its time is up, even when the timer fires early', async () => {
    const time = new FakeClock();
    const freeze = new EventLoopFreeze(earlyClock(time));
    let thawed = false;
    void freeze.block(5000).then(() => (thawed = true));

    await tick(time, 4999);
    expect(thawed).toBe(false);
    await tick(time, 1);
    expect(thawed).toBe(true);
  });

  it('a longer freeze started meanwhile holds the first one and thawed() until it ends', async () => {
    const time = new FakeClock();
    const freeze = new EventLoopFreeze(time);
    const ended: string[] = [];
    void freeze.block(1000).then(() => ended.push('first'));
    await tick(time, 500);
    void freeze.block(2000).then(() => ended.push('second'));
    void freeze.thawed().then(() => ended.push('thawed'));

    await tick(time, 1000);
    expect(ended).toEqual([]);
    await tick(time, 1000);
    expect(ended.sort()).toEqual(['first', 'second', 'thawed']);
  });

  it('thawed() resolves at once when no freeze is in force', async () => {
    const freeze = new EventLoopFreeze(new FakeClock());
    let done = false;
    void freeze.thawed().then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(true);
  });
});
