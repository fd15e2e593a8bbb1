import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../contract/clock.ts';

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits out a delay longer than Node’s 2^31-1 ms timer range instead of firing at once', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    systemClock.after(thirtyDays, fired);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(thirtyDays - (2 ** 31 - 1));
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('a cancelled long timer never fires, even after its first step', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const timer = systemClock.after(2 ** 32, fired);
    vi.advanceTimersByTime(2 ** 31);
    timer.cancel();
    vi.advanceTimersByTime(2 ** 32);
    expect(fired).not.toHaveBeenCalled();
  });
});
