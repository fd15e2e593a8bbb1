import type { Logger } from 'pino';
import { LogEvent, LogMessage } from '../../../gateway/logger.ts';
import { leaseOf, registryKey, type Lease, type Registry, type RegistryDeps } from '../../../gateway/registry/registry.ts';
import { AngelAdapter } from '../../../gateway/upstream/adapter.ts';
import { adapterHealth, type AdapterHealth } from '../../../gateway/upstream/adapter-contract.ts';
import { dialUpstream, type UpstreamSocket } from '../../../gateway/upstream/upstream-socket.ts';
import type { BrokerName } from '../../../protocol/openalgo/index.ts';
import type { UserRecord } from '../../../gateway/users.ts';

/**
 * Registry-level mechanisms of the bug, each one switch on top of the fixed adapter (docs/architecture.md#registries
 * names where OpenAlgo had each). All off is the singleton's behaviour without its linger.
 */
export interface RegistryMechanisms {
  /** OpenAlgo's `Last client … disconnected. Disconnecting … adapter.`: the adapter closes when its last client leaves. */
  teardownOnLastClient?: boolean;
  /** The adapter is stored only once its connect settled: authenticates during a pending connect each create one. */
  noSingleFlight?: boolean;
  /** The last client leaving does not stop the adapter's reconnect cycle: it dials for nobody. */
  dialWithNoClient?: boolean;
  /**
   * A teardown while the adapter waits in back-off leaves that retry armed: it dials after the back-off's
   * base delay anyway and keeps its socket, serving nobody (a zombie). Needs `teardownOnLastClient` to have
   * a teardown to survive.
   */
  retrySurvivesTeardown?: boolean;
}

interface Held {
  adapter: AngelAdapter;
  clients: number;
}

/**
 * A registry carrying the mechanisms switched on, built from the fixed `AngelAdapter` so that only the
 * switched-on mechanism differs from the fix. Lines are the singleton's (`Creating NEW angel adapter …`),
 * plus OpenAlgo's teardown line when it tears down.
 */
export class MutantRegistry implements Registry {
  private readonly current = new Map<string, Held>();
  private readonly everCreated = new Set<Held>();
  private readonly zombies = new Set<UpstreamSocket>();
  private readonly log: Logger;

  constructor(
    private readonly deps: RegistryDeps,
    private readonly mechanisms: RegistryMechanisms,
  ) {
    this.log = deps.logger;
  }

  async acquire(user: UserRecord): Promise<Lease> {
    const key = registryKey(user.userId, user.broker);
    let held = this.current.get(key);
    if (held) {
      this.log.info({ event: LogEvent.adapterReuse, user: user.userId, broker: user.broker }, LogMessage.adapterReuse(user.userId));
    } else {
      held = this.create(user);
      if (this.mechanisms.noSingleFlight) {
        // The gap: nothing is stored while the connect is pending, so every authenticate in it creates.
        await held.adapter.start().catch(() => undefined);
      }
      this.current.set(key, held);
    }
    held.clients += 1;
    held.adapter.start().catch(() => undefined);
    const lease = held;
    return leaseOf(lease.adapter, () => this.release(key, lease));
  }

  async remove(userId: string, broker: BrokerName): Promise<void> {
    const key = registryKey(userId, broker);
    const held = this.current.get(key);
    if (held) await this.teardown(key, held);
  }

  health(): AdapterHealth[] {
    return [...this.everCreated]
      .filter((held) => held.adapter.state !== 'closed')
      .map(({ adapter, clients }) => adapterHealth(adapter, clients));
  }

  async close(): Promise<void> {
    for (const socket of this.zombies) socket.terminate();
    await Promise.all([...this.everCreated].map((held) => held.adapter.close()));
    this.current.clear();
  }

  private create(user: UserRecord): Held {
    const fields = { user: user.userId, broker: user.broker };
    this.log.info({ ...fields, event: LogEvent.adapterCreate }, LogMessage.adapterCreate(user.userId));
    this.deps.metrics.adaptersCreated.inc();
    const held: Held = { adapter: new AngelAdapter(user, this.deps), clients: 0 };
    this.everCreated.add(held);
    const live = [...this.everCreated].filter((h) => h.adapter.state !== 'closed').length;
    this.log.info({ ...fields, event: LogEvent.adapterActive, active: live, userAdapters: live }, LogMessage.adapterActive(live));
    return held;
  }

  private release(key: string, held: Held): void {
    held.clients -= 1;
    if (held.clients > 0) return;
    if (this.mechanisms.teardownOnLastClient) {
      const { user } = held.adapter;
      this.log.info({ event: LogEvent.adapterTeardown, user: user.userId, broker: user.broker }, LogMessage.adapterTeardown(user.userId));
      void this.teardown(key, held);
      return;
    }
    if (!this.mechanisms.dialWithNoClient) held.adapter.pause();
  }

  private async teardown(key: string, held: Held): Promise<void> {
    if (this.current.get(key) === held) this.current.delete(key);
    const { adapter } = held;
    const retryArmed = adapter.state === 'backoff';
    await adapter.close();
    this.log.info({ event: LogEvent.adapterRemove, user: adapter.user.userId, broker: adapter.broker }, LogMessage.adapterRemove(adapter.user.userId));
    if (retryArmed && this.mechanisms.retrySurvivesTeardown) this.armZombie(held);
  }

  private armZombie({ adapter }: Held): void {
    this.deps.clock.after(this.deps.backoff.baseMs, () => {
      this.deps.metrics.upstreamAttempts.inc();
      this.log.info({ event: LogEvent.upstreamConnect, user: adapter.user.userId, attempt: 1, zombie: true }, LogMessage.upstreamConnect(1));
      const socket = dialUpstream(this.deps.WebSocket, this.deps.brokerUrl, adapter.user, {
        onOpen: () => this.log.info({ event: LogEvent.upstreamOpen, user: adapter.user.userId, zombie: true }, LogMessage.upstreamOpen),
        onMessage: () => undefined,
        onClosed: () => this.zombies.delete(socket),
      });
      this.zombies.add(socket);
    });
  }
}
