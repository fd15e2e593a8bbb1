/**
 * Time as the gateway and a followed log see it. Injected so reconnect backoff, heartbeats, linger, idle
 * timeouts and the release of held log lines run on a fake clock in unit tests and on real timers in production.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; the returned timer never keeps the process alive on its own. */
  after(ms: number, fn: () => void): Timer;
}

/** Node fires any `setTimeout` delay above this (about 24.8 days) after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Real time: `Date.now` and unref'd `setTimeout`. Delays past Node's timer range (a long `--linger-ms`)
 * are waited out in steps so they do not fire at once.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    let handle: NodeJS.Timeout;
    const arm = (remaining: number): void => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      handle = setTimeout(() => (remaining > step ? arm(remaining - step) : fn()), step);
      handle.unref();
    };
    arm(ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
