import type { Clock } from '../clock.ts';

/**
 * `--time-scale F`: every delay of the legacy models (the SDK's 10 s retry sleep, the adapter's back-off,
 * the 5 s thread join that freezes the proxy, the 90 s stall watchdog) is multiplied by F, so a demo or a
 * test can replay minutes of OpenAlgo's behaviour in seconds. Zero-delay loops stay zero-delay.
 */
export function scaledClock(clock: Clock, factor: number): Clock {
  if (factor === 1) return clock;
  // Model time runs 1/F times as fast as real time, so `now` differences compare with unscaled delays.
  const origin = clock.now();
  return {
    now: () => origin + (clock.now() - origin) / factor,
    after: (ms, fn) => clock.after(ms * factor, fn),
  };
}
