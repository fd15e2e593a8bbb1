import type { Clock } from '../../gateway/clock.ts';
import type { Claim, ClaimKeys, LeaseStore } from '../../gateway/cluster/lease-store.ts';

/**
 * An in-memory Redis of strings and counters whose keys expire on a (fake) clock, reached by each
 * gateway through its own link. A link can be up, refuse at once (a closed socket), drop requests
 * unexecuted, or execute them and lose the reply — the last is the partition that hurts: Redis changed
 * state and the gateway never heard.
 */
export class FakeRedis {
  private readonly strings = new Map<string, { value: string; expiresAt: number }>();
  private readonly counters = new Map<string, number>();

  constructor(readonly clock: Clock) {}

  get(key: string): string | undefined {
    const entry = this.strings.get(key);
    if (!entry) return undefined;
    if (this.clock.now() >= entry.expiresAt) {
      this.strings.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Same steps as the Lua script in redis-lease-store.ts. */
  claim({ lease, fence, epoch }: ClaimKeys, holder: string, ttlMs: number): Claim | undefined {
    const now = this.clock.now();
    const quarantineEnd = this.counters.get(epoch);
    if (quarantineEnd === undefined) {
      this.counters.set(epoch, now + ttlMs);
      return undefined;
    }
    if (now < quarantineEnd || this.get(lease) !== undefined) return undefined;
    const previous = this.counters.get(fence);
    const token = (previous ?? now) + 1;
    this.counters.set(fence, token);
    this.strings.set(lease, { value: `${holder}:${token}`, expiresAt: now + ttlMs });
    return { token, takeover: previous !== undefined };
  }

  /** A restart without persistence: every key is gone. */
  loseEverything(): void {
    this.strings.clear();
    this.counters.clear();
  }

  renew(lease: string, value: string, ttlMs: number): boolean {
    if (this.get(lease) !== value) return false;
    this.strings.set(lease, { value, expiresAt: this.clock.now() + ttlMs });
    return true;
  }

  release(lease: string, value: string): boolean {
    if (this.get(lease) !== value) return false;
    this.strings.delete(lease);
    return true;
  }
}

export type LinkMode = 'up' | 'refuse' | 'drop' | 'lose-replies';

export class FakeRedisLink implements LeaseStore {
  mode: LinkMode = 'up';
  upMs = 0;
  downMs = 0;

  constructor(private readonly redis: FakeRedis) {}

  claim(keys: ClaimKeys, holder: string, ttlMs: number): Promise<Claim | undefined> {
    return this.send(() => this.redis.claim(keys, holder, ttlMs));
  }

  renew(lease: string, value: string, ttlMs: number): Promise<boolean> {
    return this.send(() => this.redis.renew(lease, value, ttlMs));
  }

  release(lease: string, value: string): Promise<boolean> {
    return this.send(() => this.redis.release(lease, value));
  }

  private send<T>(execute: () => T): Promise<T> {
    const { mode, upMs, downMs } = this;
    if (mode === 'refuse') return Promise.reject(new Error('Connection is closed.'));
    return new Promise<T>((resolve) => {
      this.redis.clock.after(upMs, () => {
        if (mode === 'drop') return;
        const reply = execute();
        if (mode === 'lose-replies') return;
        this.redis.clock.after(downMs, () => resolve(reply));
      });
    });
  }
}
