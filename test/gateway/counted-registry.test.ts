import { describe, expect, it } from 'vitest';
import { ClientTally, CountedRegistry } from '../../gateway/registry/counted-registry.ts';
import { leaseOf, type Lease, type Registry } from '../../gateway/registry/registry.ts';
import { BrokerUnavailableError, type UpstreamAdapter } from '../../gateway/upstream/adapter-contract.ts';
import type { UserRecord } from '../../gateway/users.ts';
import { USER } from '../support/gateway-harness.ts';

/** A registry whose acquire reports the tally it sees (where an adapter would dial), then succeeds or fails. */
function registry(tally: ClientTally, fail: boolean, seen: number[], released: string[]): Registry {
  return {
    acquire: async (user: UserRecord): Promise<Lease> => {
      seen.push(tally.of(user));
      if (fail) throw new BrokerUnavailableError('refused');
      return leaseOf({ user } as UpstreamAdapter, () => released.push(user.userId));
    },
    remove: async () => undefined,
    health: () => [],
    close: async () => undefined,
  };
}

describe('CountedRegistry: the client tally behind the dial line', () => {
  it('counts a client from before its acquire until after its release, once however often it is released', async () => {
    const tally = new ClientTally();
    const seen: number[] = [];
    const released: string[] = [];
    const counted = new CountedRegistry(registry(tally, false, seen, released), tally);
    const first = await counted.acquire(USER);
    const second = await counted.acquire(USER);
    expect(seen).toEqual([1, 2]);
    first.release();
    first.release();
    expect(tally.of(USER)).toBe(1);
    second.release();
    expect(tally.of(USER)).toBe(0);
    expect(released).toEqual([USER.userId, USER.userId]);
  });

  it('takes back the count of an acquire that failed', async () => {
    const tally = new ClientTally();
    const counted = new CountedRegistry(registry(tally, true, [], []), tally);
    await expect(counted.acquire(USER)).rejects.toThrow(BrokerUnavailableError);
    expect(tally.of(USER)).toBe(0);
  });
});
