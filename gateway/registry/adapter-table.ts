import type { Timer } from '../clock.ts';
import { LogEvent, LogMessage } from '../logger.ts';
import type { UserRecord } from '../users.ts';
import { adapterHealth, type AdapterHealth, type PoolHealth, type UpstreamAdapter } from '../upstream/adapter-contract.ts';
import { leaseOf, type Lease, type RegistryDeps } from './registry.ts';

interface Entry<A> {
  adapter: A;
  clients: number;
  linger: Timer | undefined;
}

export interface AdapterTableHooks<A> {
  create(user: UserRecord): A;
  /** The last client left; the adapter stays for `lingerMs` in case another comes. */
  idle?(adapter: A): void;
  /** Lets the adapter go for good; resolves once its upstream is closed. */
  close(adapter: A): Promise<void>;
  /** The adapter's upstream pool, for /health. */
  pool?(adapter: A): PoolHealth | undefined;
}

/**
 * One adapter per key and how many clients hold it: what the singleton and the cluster registries
 * share. The last client leaving starts `lingerMs`, after which the adapter is closed (so client churn
 * never becomes upstream churn); while one is closing, `closing(key)` tells a new acquire to wait.
 */
export class AdapterTable<A extends UpstreamAdapter> {
  private readonly entries = new Map<string, Entry<A>>();
  private readonly pendingClose = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: Pick<RegistryDeps, 'clock' | 'lingerMs' | 'logger' | 'metrics'>,
    private readonly hooks: AdapterTableHooks<A>,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The close in progress for this key, if any: acquire awaits it before `join`. */
  closing(key: string): Promise<void> | undefined {
    return this.pendingClose.get(key);
  }

  /**
   * Synchronous, so concurrent acquires of one key share one adapter (single-flight): the key's adapter,
   * created if missing, with one more client, and that client's lease.
   */
  join(key: string, user: UserRecord): { adapter: A; created: boolean; lease: Lease } {
    let entry = this.entries.get(key);
    const created = entry === undefined;
    if (!entry) {
      entry = { adapter: this.hooks.create(user), clients: 0, linger: undefined };
      this.entries.set(key, entry);
      this.deps.metrics.adaptersCreated.inc();
    }
    entry.clients += 1;
    entry.linger?.cancel();
    entry.linger = undefined;
    const held = entry;
    return { adapter: held.adapter, created, lease: leaseOf(held.adapter, () => this.release(key, held)) };
  }

  /** Closes the key's adapter now; resolves once it (or one already closing) is closed. */
  remove(key: string): Promise<void> {
    const entry = this.entries.get(key);
    return entry ? this.removeEntry(key, entry) : (this.pendingClose.get(key) ?? Promise.resolve());
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries].map(([key, entry]) => this.removeEntry(key, entry)));
    await Promise.all(this.pendingClose.values());
  }

  health(): AdapterHealth[] {
    return [...this.entries.values()].map(({ adapter, clients }) => adapterHealth(adapter, clients, this.hooks.pool?.(adapter)));
  }

  adapters(): A[] {
    return [...this.entries.values()].map((e) => e.adapter);
  }

  private release(key: string, entry: Entry<A>): void {
    entry.clients -= 1;
    if (entry.clients > 0 || this.entries.get(key) !== entry) return;
    this.hooks.idle?.(entry.adapter);
    const { lingerMs } = this.deps;
    if (lingerMs <= 0) return;
    entry.linger = this.deps.clock.after(lingerMs, () => {
      entry.linger = undefined;
      if (entry.clients > 0 || this.entries.get(key) !== entry) return;
      const { user, broker } = entry.adapter;
      this.deps.logger.info({ event: LogEvent.adapterLinger, user: user.userId, broker, lingerMs }, LogMessage.adapterLinger(lingerMs, user.userId));
      void this.removeEntry(key, entry);
    });
  }

  private removeEntry(key: string, entry: Entry<A>): Promise<void> {
    this.entries.delete(key);
    entry.linger?.cancel();
    const done = this.hooks.close(entry.adapter).finally(() => {
      if (this.pendingClose.get(key) === done) this.pendingClose.delete(key);
    });
    this.pendingClose.set(key, done);
    return done;
  }
}
