import type { Logger } from 'pino';
import { LegacyAngelAdapter, type LegacyTuning } from '../angel/legacy-adapter.ts';
import { LogEvent, LogMessage } from '../logger.ts';
import type { BrokerName } from '../openalgo/protocol.ts';
import type { UserRecord } from '../users.ts';
import { registryKey, type AdapterDeps, type AdapterHealth, type Lease, type Registry } from './registry.ts';

/**
 * The bug, reproduced (SPEC §6 legacy, mechanisms 1 and 5; 2–4 live in LegacyAngelAdapter):
 *
 * (1) When a user's last client disconnects the adapter is torn down, and the next authenticate creates a
 *     new one, so client churn becomes upstream churn.
 * (5) No single-flight: the adapter is stored only after its `connect()` returns, so every client that
 *     authenticates while a connect is pending creates its own adapter. The one stored last wins; the
 *     others are forgotten but keep their sockets and retry loops.
 */
export class LegacyRegistry implements Registry {
  private readonly adapters = new Map<string, LegacyAngelAdapter>();
  private readonly clientCounts = new Map<string, number>();
  private readonly everCreated = new Set<LegacyAngelAdapter>();
  private readonly creating = new Map<string, number>();
  private readonly log: Logger;

  constructor(
    private readonly deps: AdapterDeps,
    private readonly tuning: LegacyTuning,
  ) {
    this.log = deps.logger;
  }

  async acquire(user: UserRecord): Promise<Lease> {
    const key = registryKey(user.userId, user.broker);
    let adapter = this.adapters.get(key);
    const fields = { user: user.userId, broker: user.broker };
    if (adapter) {
      this.log.info({ event: LogEvent.adapterReuse, ...fields }, LogMessage.adapterReuse(user.userId));
    } else {
      this.log.info({ event: LogEvent.adapterCreate, ...fields }, LogMessage.adapterCreate(user.userId));
      this.deps.metrics.adaptersCreated.inc();
      const created = new LegacyAngelAdapter(user, this.deps, this.tuning);
      this.everCreated.add(created);
      this.creating.set(key, (this.creating.get(key) ?? 0) + 1);
      this.logActive(user);
      await created.connect();
      this.creating.set(key, this.creating.get(key)! - 1);
      this.adapters.set(key, created);
      adapter = created;
    }
    this.clientCounts.set(key, (this.clientCounts.get(key) ?? 0) + 1);
    let released = false;
    return {
      adapter,
      release: () => {
        if (released) return;
        released = true;
        this.release(key, user);
      },
    };
  }

  async remove(userId: string, broker: BrokerName): Promise<void> {
    const key = registryKey(userId, broker);
    const adapter = this.adapters.get(key);
    if (!adapter) return;
    this.adapters.delete(key);
    adapter.disconnect();
    this.log.info({ event: LogEvent.adapterRemove, user: userId, broker }, LogMessage.adapterRemove(userId));
    this.logActive(adapter.user);
  }

  health(): AdapterHealth[] {
    const stored = new Set(this.adapters.values());
    return [...this.everCreated]
      .filter((adapter) => stored.has(adapter) || adapter.upstreamConnections() > 0 || adapter.state === 'connecting' || adapter.state === 'backoff')
      .map((adapter) => ({
        user: adapter.user.userId,
        broker: adapter.broker,
        state: adapter.state,
        upstreamConnections: adapter.upstreamConnections(),
        subscriptions: adapter.subscriptionCount(),
        clients: stored.has(adapter) ? (this.clientCounts.get(registryKey(adapter.user.userId, adapter.broker)) ?? 0) : 0,
      }));
  }

  async close(): Promise<void> {
    for (const adapter of this.everCreated) adapter.destroy();
    this.adapters.clear();
  }

  private release(key: string, user: UserRecord): void {
    const remaining = (this.clientCounts.get(key) ?? 1) - 1;
    if (remaining > 0) {
      this.clientCounts.set(key, remaining);
      return;
    }
    this.clientCounts.delete(key);
    const adapter = this.adapters.get(key);
    if (!adapter) return;
    this.log.info({ event: LogEvent.adapterTeardown, user: user.userId, broker: user.broker }, LogMessage.adapterTeardown(user.userId));
    void this.remove(user.userId, user.broker);
  }

  /** `active` counts every user's adapters, as OpenAlgo's line did; `userAdapters` only this user's. */
  private logActive(user: UserRecord): void {
    const key = registryKey(user.userId, user.broker);
    let creating = 0;
    for (const n of this.creating.values()) creating += n;
    const active = this.adapters.size + creating;
    const userAdapters = (this.adapters.has(key) ? 1 : 0) + (this.creating.get(key) ?? 0);
    this.log.info(
      { event: LogEvent.adapterActive, user: user.userId, broker: user.broker, active, userAdapters },
      LogMessage.adapterActive(active),
    );
  }
}
