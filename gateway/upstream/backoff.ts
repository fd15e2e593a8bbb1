import type { RandomSource } from '../clock.ts';

/**
 * Reconnect delays for one adapter. Two regimes, because the two kinds of failure free up differently:
 *
 * - A network error or a 5xx means the broker is unwell: capped exponential backoff with equal jitter,
 *   so a recovering broker is not hit by everyone at once.
 * - A 429 means the broker is healthy but another connection holds the user's slots; the slot frees at a
 *   moment we cannot see, and what matters is noticing soon (recovery) without hammering (AngelOne counts
 *   the attempts). A retry every T seconds notices a freed slot after T/2 on average and 0.95 T at the
 *   95th percentile, and costs 60/T attempts a minute, so "p95 recovery ≤ 5 s" and "≤ 12 attempts/min" are
 *   both met only by a nearly constant T just above 5 s. Exponential growth would trade recovery away (the
 *   old policy had reached 19–23 s gaps), and decorrelated jitter up to a cap spends most draws at the cap.
 *   So a 429 is retried after a uniform draw in [rateLimitedMinMs, rateLimitedMaxMs]: a narrow band that
 *   keeps gateways from retrying in lock-step while holding the mean near 5.1 s.
 */
export interface BackoffPolicy {
  /** Delay before the first retry after a non-429 failure; doubles per consecutive failure. */
  baseMs: number;
  /** No non-429 delay exceeds this, whatever the attempt. */
  capMs: number;
  /** Shortest delay after a 429. */
  rateLimitedMinMs: number;
  /** Longest delay after a 429. */
  rateLimitedMaxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, rateLimitedMinMs: 4_900, rateLimitedMaxMs: 5_300 };

/** Delay before retry number `retry` (1-based). */
export function backoffDelay(policy: BackoffPolicy, retry: number, rateLimited: boolean, random: RandomSource): number {
  if (rateLimited) return Math.round(policy.rateLimitedMinMs + (policy.rateLimitedMaxMs - policy.rateLimitedMinMs) * random());
  // Equal jitter: half the exponential step is fixed, half random, so adapters that failed together do not
  // retry together yet never retry immediately.
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
