import type { Logger } from 'pino';
import { UpstreamPool } from '../upstream/pool.ts';
import { LogEvent, LogMessage } from '../logger.ts';
import type { BrokerName } from '../../protocol/openalgo/index.ts';
import type { UserRecord } from '../users.ts';
import { AdapterTable } from './adapter-table.ts';
import type { AdapterHealth } from '../upstream/adapter-contract.ts';
import { registryKey, type Lease, type Registry, type RegistryDeps } from './registry.ts';

/**
 * The fix (docs/architecture.md#registries): exactly one adapter per (user, broker), an upstream pool of at
 * most `maxUpstream` connections (one while its symbols fit on one). The entry is stored
 * before the first `await`, so every concurrent authenticate finds it and shares its one connect cycle
 * (single-flight). A lease is handed out at once, without waiting for the upstream: clients learn its state
 * from `broker_status`, so a refused upstream never holds up their `auth` reply. Dialling follows demand: the
 * last client leaving stops a cycle that has not opened; an open upstream lingers `lingerMs` so client churn
 * never becomes upstream churn, then is released. `remove` waits for the upstream to close and holds back new
 * adapters for that key until it has.
 */
export class SingletonRegistry implements Registry {
  private readonly table: AdapterTable<UpstreamPool>;
  private readonly log: Logger;

  constructor(private readonly deps: RegistryDeps) {
    this.log = deps.logger;
    this.table = new AdapterTable<UpstreamPool>(deps, {
      create: (user) => new UpstreamPool(user, this.deps),
      idle: (adapter) => adapter.pause(),
      pool: (adapter) => adapter.health(),
      close: async (adapter) => {
        await adapter.close();
        const { user } = adapter;
        this.log.info({ event: LogEvent.adapterRemove, user: user.userId, broker: user.broker }, LogMessage.adapterRemove(user.userId));
        this.logActive(user);
      },
    });
  }

  async acquire(user: UserRecord): Promise<Lease> {
    const key = registryKey(user.userId, user.broker);
    const closing = this.table.closing(key);
    if (closing) await closing;
    const { adapter, created, lease } = this.table.join(key, user);
    const fields = { user: user.userId, broker: user.broker };
    if (created) {
      this.log.info({ ...fields, event: LogEvent.adapterCreate }, LogMessage.adapterCreate(user.userId));
      this.logActive(user);
    } else {
      this.log.info({ ...fields, event: LogEvent.adapterReuse }, LogMessage.adapterReuse(user.userId));
    }
    // A failed cycle reaches the clients through the listener (broker_status, BROKER_ERROR), not here.
    adapter.start().catch(() => undefined);
    return lease;
  }

  remove(userId: string, broker: BrokerName): Promise<void> {
    return this.table.remove(registryKey(userId, broker));
  }

  health(): AdapterHealth[] {
    return this.table.health();
  }

  close(): Promise<void> {
    return this.table.close();
  }

  /** `active` counts every user's adapters, as OpenAlgo's line did; `userAdapters` only this user's. */
  private logActive(user: UserRecord): void {
    const userAdapters = this.table.has(registryKey(user.userId, user.broker)) ? 1 : 0;
    this.log.info(
      { event: LogEvent.adapterActive, user: user.userId, broker: user.broker, active: this.table.size, userAdapters },
      LogMessage.adapterActive(this.table.size),
    );
  }
}
