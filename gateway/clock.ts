/**
 * Time as the gateway sees it. Injected so reconnect backoff, heartbeats, linger and idle timeouts run on
 * a fake clock in unit tests and on real timers in production.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; the returned timer never keeps the process alive on its own. */
  after(ms: number, fn: () => void): Timer;
}

/** Real time: `Date.now` and unref'd `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A source of uniform numbers in [0, 1), injected for deterministic jitter. */
export type RandomSource = () => number;
