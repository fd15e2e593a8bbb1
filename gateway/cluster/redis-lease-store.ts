import type { ClaimKeys, ClaimOutcome, LeaseStore } from './lease-store.ts';

/** The part of an ioredis client the lease store uses; narrow so a test can see every call. */
export interface EvalClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Look and (when ARGV[3] is 1) claim: quarantine check, NX, an unchanged fence, and INCR in one script, so a
 * fencing token exists only for a lease that was set and nobody claims past a claim it has not seen.
 * Returns {token or 0, takeover, lease value or '', fence or ''}. See ClaimKeys.epoch for the quarantine.
 */
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local holder = redis.call('GET', KEYS[1]) or ''
local fence = redis.call('GET', KEYS[2]) or ''
local quarantineEnd = redis.call('GET', KEYS[3])
if not quarantineEnd then
  redis.call('SET', KEYS[3], now + tonumber(ARGV[2]))
  return {0, 0, holder, fence}
end
if ARGV[3] ~= '1' or now < tonumber(quarantineEnd) or holder ~= '' or fence ~= ARGV[4] then return {0, 0, holder, fence} end
local takeover = 1
if fence == '' then
  takeover = 0
  redis.call('SET', KEYS[2], now)
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return {token, takeover, ARGV[1] .. ':' .. token, tostring(token)}
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

  async claim(keys: ClaimKeys, holder: string, ttlMs: number, expectedFence?: string): Promise<ClaimOutcome> {
    const reply = (await this.redis.eval(CLAIM, 3, keys.lease, keys.fence, keys.epoch, holder, ttlMs, expectedFence === undefined ? '0' : '1', expectedFence ?? '')) as [
      number,
      number,
      string,
      string,
    ];
    const [token, takeover, value, fence] = reply;
    const view = { holder: value === '' ? undefined : String(value), fence: String(fence) };
    return token > 0 ? { view, claim: { token, takeover: takeover === 1 } } : { view };
  }

  async renew(lease: string, value: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, lease, value, ttlMs)) === 1;
  }

  async release(lease: string, value: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE, 1, lease, value)) === 1;
  }
}
