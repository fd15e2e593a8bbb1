import type { Clock } from '../../gateway/clock.ts';
import type { ClaimKeys, ClaimOutcome, LeaseStore, LeaseView } from '../../gateway/cluster/lease-store.ts';

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
  claim({ lease, fence, epoch }: ClaimKeys, holder: string, ttlMs: number, expectedFence?: string): ClaimOutcome {
    const now = this.clock.now();
    const view = (): LeaseView => ({ holder: this.get(lease), fence: String(this.counters.get(fence) ?? '') });
    const quarantineEnd = this.counters.get(epoch);
    if (quarantineEnd === undefined) {
      this.counters.set(epoch, now + ttlMs);
      return { view: view() };
    }
    const seen = view();
    if (expectedFence === undefined || now < quarantineEnd || seen.holder !== undefined || seen.fence !== expectedFence) return { view: seen };
    const previous = this.counters.get(fence);
    const token = (previous ?? now) + 1;
    this.counters.set(fence, token);
    this.strings.set(lease, { value: `${holder}:${token}`, expiresAt: now + ttlMs });
    return { view: view(), claim: { token, takeover: previous !== undefined } };
  }

  /** What an attacker with access to Redis may do: delete a key, or set it to anything, with or without a TTL. */
  deleteKey(key: string): void {
    this.strings.delete(key);
    this.counters.delete(key);
  }

  setString(key: string, value: string, ttlMs?: number): void {
    this.strings.set(key, { value, expiresAt: ttlMs === undefined ? Infinity : this.clock.now() + ttlMs });
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

  claim(keys: ClaimKeys, holder: string, ttlMs: number, expectedFence?: string): Promise<ClaimOutcome> {
    return this.send(() => this.redis.claim(keys, holder, ttlMs, expectedFence));
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
