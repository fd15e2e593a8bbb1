/**
 * Fencing tokens start from Redis' clock in ms when the counter is missing, so they keep growing across
 * a Redis restart that lost the counter (given fewer than 1000 claims per ms and a clock that does not
 * step back).
 *
 * The three atomic operations the lease needs from Redis. An interface so the lease logic runs against
 * an in-memory fake on a fake clock in the model test and against real Redis everywhere else.
 */
export interface LeaseStore {
  /**
   * Looks at the lease and, when `expectedFence` is given, claims it: if `lease` is absent, `fence` still
   * reads `expectedFence` (nobody claimed since the caller last looked) and Redis is out of its start-up
   * quarantine, INCR `fence` and SET `lease` to `holder:token` with a TTL of `ttlMs`. One atomic step, so
   * no token is handed out without a lease. Returns what it saw, and the claim when it made one.
   */
  claim(keys: ClaimKeys, holder: string, ttlMs: number, expectedFence?: string): Promise<ClaimOutcome>;
  /** Extends `lease` to `ttlMs` only while it still holds `value`; false when it expired or changed hands. */
  renew(lease: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes `lease` only while it still holds `value`. */
  release(lease: string, value: string): Promise<boolean>;
}

export interface ClaimKeys {
  lease: string;
  fence: string;
  /**
   * Global marker without TTL holding the end of the start-up quarantine (ms, Redis time). When it is
   * missing, Redis lost its data (a restart without persistence): every lease is gone while old holders
   * may still be connected, so nobody may claim for one TTL — by then each has failed a renewal or run
   * out of validity and closed its upstream.
   */
  epoch: string;
}

/** The lease as one look at Redis found it. */
export interface LeaseView {
  /** The lease key's value, or undefined when no lease exists. */
  holder: string | undefined;
  /** The fence counter as text ('' when missing): it changes with every claim. */
  fence: string;
}

export interface ClaimOutcome {
  view: LeaseView;
  claim?: Claim;
}

export interface Claim {
  token: number;
  /** The fence counter existed: some gateway held this lease before (a failover or a hand-back). */
  takeover: boolean;
}

/** What a lease key holds: the holder's id and its fencing token. */
export function leaseValue(holder: string, token: number): string {
  return `${holder}:${token}`;
}
