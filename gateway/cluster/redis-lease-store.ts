import type { LeaseStore } from './lease-store.ts';

/** The part of an ioredis client the lease store uses; narrow so a test can see every call. */
export interface EvalClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Claim: NX and INCR in one script, so a fencing token exists only for a lease that was set. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token
` as const;

/** Compare-and-extend: a renewal after the key changed hands must not extend the new holder's lease. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
` as const;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
` as const;

/** LeaseStore on Redis ≥ 2.6 (Lua scripts); ioredis caches nothing here, the scripts are tiny. */
export class RedisLeaseStore implements LeaseStore {
  constructor(private readonly redis: EvalClient) {}

  async claim(lease: string, fence: string, holder: string, ttlMs: number): Promise<number | undefined> {
    const token = Number(await this.redis.eval(CLAIM, 2, lease, fence, holder, ttlMs));
    return token > 0 ? token : undefined;
  }

  async renew(lease: string, value: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, lease, value, ttlMs)) === 1;
  }

  async release(lease: string, value: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE, 1, lease, value)) === 1;
  }
}
