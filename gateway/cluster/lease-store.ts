/**
 * The three atomic operations the lease needs from Redis. An interface so the lease logic runs against
 * an in-memory fake on a fake clock in the model test and against real Redis everywhere else.
 */
export interface LeaseStore {
  /**
   * If `lease` is absent: INCR `fence`, SET `lease` to `holder:token` with a TTL of `ttlMs`, and return
   * the token. Otherwise return undefined. One atomic step, so no token is handed out without a lease.
   */
  claim(lease: string, fence: string, holder: string, ttlMs: number): Promise<number | undefined>;
  /** Extends `lease` to `ttlMs` only while it still holds `value`; false when it expired or changed hands. */
  renew(lease: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes `lease` only while it still holds `value`. */
  release(lease: string, value: string): Promise<boolean>;
}

/** What a lease key holds: the holder's id and its fencing token. */
export function leaseValue(holder: string, token: number): string {
  return `${holder}:${token}`;
}
