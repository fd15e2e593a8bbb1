import type { Claim, ClaimKeys, LeaseStore } from './lease-store.ts';

/** The part of an ioredis client the lease store uses; narrow so a test can see every call. */
export interface EvalClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Claim: quarantine check, NX and INCR in one script, so a fencing token exists only for a lease that
 * was set. Returns {token, takeover} or {0, 0}. See ClaimKeys.epoch and LeaseStore for the two seeds.
 */
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local quarantineEnd = redis.call('GET', KEYS[3])
if not quarantineEnd then
  redis.call('SET', KEYS[3], now + tonumber(ARGV[2]))
  return {0, 0}
end
if now < tonumber(quarantineEnd) then return {0, 0} end
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0} end
local takeover = redis.call('EXISTS', KEYS[2])
if takeover == 0 then redis.call('SET', KEYS[2], now) end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return {token, takeover}
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

/** LeaseStore on Redis ≥ 5 (Lua scripts that call TIME before writing). */
export class RedisLeaseStore implements LeaseStore {
  constructor(private readonly redis: EvalClient) {}

  async claim(keys: ClaimKeys, holder: string, ttlMs: number): Promise<Claim | undefined> {
    const [token, takeover] = (await this.redis.eval(CLAIM, 3, keys.lease, keys.fence, keys.epoch, holder, ttlMs)) as [number, number];
    return token > 0 ? { token, takeover: takeover === 1 } : undefined;
  }

  async renew(lease: string, value: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, lease, value, ttlMs)) === 1;
  }

  async release(lease: string, value: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE, 1, lease, value)) === 1;
  }
}
