import type { Logger } from 'pino';
import { AngelAdapter } from '../angel/adapter.ts';
import type { Timer } from '../clock.ts';
import { LogEvent, LogMessage } from '../logger.ts';
import type { BrokerName } from '../openalgo/protocol.ts';
import type { UserRecord } from '../users.ts';
import { leaseOf, registryKey, type AdapterHealth, type Lease, type Registry, type RegistryDeps } from './registry.ts';

interface Entry {
  adapter: AngelAdapter;
  clients: number;
  linger: Timer | undefined;
}

/**
 * The fix (SPEC §6): exactly one adapter per (user, broker). The entry is stored before the first
 * `await`, so every concurrent authenticate finds it and shares its one connect cycle (single-flight).
 * A lease is handed out at once, without waiting for the upstream: clients learn its state from
 * `broker_status`, so a refused upstream never holds up their `auth` reply. Dialling follows demand: the
 * last client leaving stops a cycle that has not opened; an open upstream lingers `lingerMs` so client
 * churn never becomes upstream churn, then is released. `remove` waits for the upstream to close and holds
 * back new adapters for that key until it has.
 */
export class SingletonRegistry implements Registry {
  private readonly entries = new Map<string, Entry>();
  private readonly closing = new Map<string, Promise<void>>();
  private readonly log: Logger;

  constructor(private readonly deps: RegistryDeps) {
    this.log = deps.logger;
  }

  async acquire(user: UserRecord): Promise<Lease> {
    const key = registryKey(user.userId, user.broker);
    const pendingClose = this.closing.get(key);
    if (pendingClose) await pendingClose;
    const entry = this.entryFor(key, user);
    entry.clients += 1;
    entry.linger?.cancel();
    entry.linger = undefined;
    const lease = leaseOf(entry.adapter, () => this.release(key, entry));
    // A failed cycle reaches the clients through the listener (broker_status, BROKER_ERROR), not here.
    entry.adapter.start().catch(() => undefined);
    return lease;
  }

  async remove(userId: string, broker: BrokerName): Promise<void> {
    const key = registryKey(userId, broker);
    const entry = this.entries.get(key);
    if (!entry) return this.closing.get(key);
    await this.removeEntry(key, entry);
  }

  health(): AdapterHealth[] {
    return [...this.entries.values()].map(({ adapter, clients }) => ({
      user: adapter.user.userId,
      broker: adapter.broker,
      state: adapter.state,
      upstreamConnections: adapter.upstreamConnections(),
      subscriptions: adapter.subscriptionCount(),
      clients,
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries].map(([key, entry]) => this.removeEntry(key, entry)));
    await Promise.all(this.closing.values());
  }

  private entryFor(key: string, user: UserRecord): Entry {
    const existing = this.entries.get(key);
    const fields = { event: LogEvent.adapterReuse, user: user.userId, broker: user.broker };
    if (existing) {
      this.log.info(fields, LogMessage.adapterReuse(user.userId));
      return existing;
    }
    const entry: Entry = { adapter: new AngelAdapter(user, this.deps), clients: 0, linger: undefined };
    this.entries.set(key, entry);
    this.deps.metrics.adaptersCreated.inc();
    this.log.info({ ...fields, event: LogEvent.adapterCreate }, LogMessage.adapterCreate(user.userId));
    this.logActive(user);
    return entry;
  }

  private release(key: string, entry: Entry): void {
    entry.clients -= 1;
    if (entry.clients > 0 || this.entries.get(key) !== entry) return;
    entry.adapter.pause();
    if (this.deps.lingerMs <= 0) return;
    entry.linger = this.deps.clock.after(this.deps.lingerMs, () => {
      entry.linger = undefined;
      if (entry.clients > 0 || this.entries.get(key) !== entry) return;
      this.log.info(
        { event: LogEvent.adapterLinger, user: entry.adapter.user.userId, broker: entry.adapter.broker, lingerMs: this.deps.lingerMs },
        LogMessage.adapterLinger(this.deps.lingerMs, entry.adapter.user.userId),
      );
      void this.removeEntry(key, entry);
    });
  }

  private removeEntry(key: string, entry: Entry): Promise<void> {
    this.entries.delete(key);
    entry.linger?.cancel();
    const { user } = entry.adapter;
    const done = entry.adapter.close().then(() => {
      if (this.closing.get(key) === done) this.closing.delete(key);
      this.log.info({ event: LogEvent.adapterRemove, user: user.userId, broker: user.broker }, LogMessage.adapterRemove(user.userId));
      this.logActive(user);
    });
    this.closing.set(key, done);
    return done;
  }

  /** `active` counts every user's adapters, as OpenAlgo's line did; `userAdapters` only this user's. */
  private logActive(user: UserRecord): void {
    const userAdapters = this.entries.has(registryKey(user.userId, user.broker)) ? 1 : 0;
    this.log.info(
      { event: LogEvent.adapterActive, user: user.userId, broker: user.broker, active: this.entries.size, userAdapters },
      LogMessage.adapterActive(this.entries.size),
    );
  }
}
