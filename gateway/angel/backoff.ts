import type { RandomSource } from '../clock.ts';

/** Reconnect delays for one adapter (SPEC §6: capped exponential backoff with jitter). */
export interface BackoffPolicy {
  /** Delay before the first retry; doubles per consecutive failure. */
  baseMs: number;
  /** No delay exceeds this, whatever the attempt. */
  capMs: number;
  /**
   * A 429 means the broker still counts a connection of ours (or a zombie's) against the limit; retrying
   * at the normal pace only feeds the storm, so 429s start from this larger base.
   */
  rateLimitedBaseMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, rateLimitedBaseMs: 5_000 };

/**
 * Delay before retry number `retry` (1-based). "Equal jitter": half the exponential step is fixed, half
 * random, so clients that failed together do not retry together yet never retry immediately.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, rateLimited: boolean, random: RandomSource): number {
  const base = rateLimited ? policy.rateLimitedBaseMs : policy.baseMs;
  const step = Math.min(policy.capMs, base * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
