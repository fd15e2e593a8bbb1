import type { BrokerName } from '../../protocol/openalgo/index.ts';
import type { AdapterHealth } from '../upstream/adapter-contract.ts';
import type { UserRecord } from '../users.ts';
import { leaseOf, registryKey, type Lease, type Registry } from './registry.ts';

/**
 * How many of this gateway's clients hold, or are acquiring, a lease on each user's adapter. The adapter
 * puts the figure on its dial line, so a log shows an upstream dialled while no client wanted it
 * (docs/rules.md#dial-with-no-client), whichever registry made the adapter.
 */
export class ClientTally {
  private readonly counts = new Map<string, number>();

  of(user: Pick<UserRecord, 'userId' | 'broker'>): number {
    return this.counts.get(registryKey(user.userId, user.broker)) ?? 0;
  }

  change(user: UserRecord, by: 1 | -1): void {
    const key = registryKey(user.userId, user.broker);
    const n = (this.counts.get(key) ?? 0) + by;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }
}

/**
 * A registry that keeps a {@link ClientTally} of its leases. A client counts from before its acquire (the
 * adapter may dial inside it) until after its release (the adapter stops dialling on it), so the tally
 * never reads lower than the registry's own count.
 */
export class CountedRegistry implements Registry {
  constructor(
    private readonly inner: Registry,
    private readonly tally: ClientTally,
  ) {}

  async acquire(user: UserRecord): Promise<Lease> {
    this.tally.change(user, 1);
    let lease: Lease;
    try {
      lease = await this.inner.acquire(user);
    } catch (err) {
      this.tally.change(user, -1);
      throw err;
    }
    return leaseOf(lease.adapter, () => {
      lease.release();
      this.tally.change(user, -1);
    });
  }

  remove(userId: string, broker: BrokerName): Promise<void> {
    return this.inner.remove(userId, broker);
  }

  health(): AdapterHealth[] {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
