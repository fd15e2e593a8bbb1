import type { Logger } from 'pino';
import { AngelAdapter2025, type LegacyAdapter, type LegacyAdapterDeps } from '../legacy/angel-adapter-2025.ts';
import { AngelAdapter2026 } from '../legacy/angel-adapter-2026.ts';
import { EventLoopFreeze } from '../legacy/event-loop-freeze.ts';
import { CommonMessage, LegacyLogEvent, Message2025, Message2026, OpenAlgoModule, poolKey } from '../legacy/openalgo-log.ts';
import { DEFAULT_SAFETY_CAP, SafetyCap, type SafetyCapLimits } from '../legacy/safety-cap.ts';
import type { LegacyVersion } from '../legacy/smart-websocket.ts';
import { scaledClock } from '../legacy/time-scale.ts';
import type { BrokerName } from '../../protocol/openalgo/index.ts';
import type { UserRecord } from '../users.ts';
import type { AdapterDeps, AdapterHealth } from '../upstream/adapter-contract.ts';
import { leaseOf, registryKey, type Lease, type Registry } from './registry.ts';

/** How a legacy registry runs: `--time-scale` and the safety cap. */
export interface LegacyOptions {
  timeScale: number;
  safetyCap: SafetyCapLimits;
}

export const DEFAULT_LEGACY_OPTIONS: LegacyOptions = { timeScale: 1, safetyCap: DEFAULT_SAFETY_CAP };

interface Entry {
  adapter: LegacyAdapter;
  clients: number;
  peakSymbols: number;
}

/**
 * OpenAlgo's proxy registry (`broker_adapters`, websocket_proxy/server.py) in its 2025-11 and 2026-08 forms.
 *
 * It is checked and filled with no await in between, so simultaneous authenticates share one adapter: there
 * is no burst race. But the last client leaving tears the adapter (2026: the pool) down, and the next
 * authenticate builds a new one, so client churn becomes upstream churn; and a torn-down adapter's SDK
 * retries live on (zombies). 2026-08 also freezes the proxy while a disconnect joins the connect thread.
 */
export class LegacyRegistry implements Registry {
  private readonly entries = new Map<string, Entry>();
  private readonly everCreated = new Set<LegacyAdapter>();
  private readonly freeze: EventLoopFreeze;
  private readonly cap: SafetyCap;
  private readonly deps: AdapterDeps;
  private nextAdapterId = 1;
  private readonly log: Logger;

  constructor(
    readonly version: LegacyVersion,
    deps: AdapterDeps,
    options: LegacyOptions = DEFAULT_LEGACY_OPTIONS,
  ) {
    this.deps = { ...deps, clock: scaledClock(deps.clock, options.timeScale) };
    this.freeze = new EventLoopFreeze(this.deps.clock);
    this.cap = new SafetyCap(options.safetyCap, deps.clock, deps.logger);
    this.log = deps.logger;
  }

  async acquire(user: UserRecord): Promise<Lease> {
    await this.freeze.thawed();
    const key = registryKey(user.userId, user.broker);
    const fields = { user: user.userId, broker: user.broker };
    let entry = this.entries.get(key);
    if (this.version === '2026') {
      this.log.info({ event: LegacyLogEvent.adapterWrapper, module: OpenAlgoModule.factory, ...fields }, Message2026.creatingPooled);
    }
    if (entry) {
      if (this.version === '2026') {
        this.log.info({ event: LegacyLogEvent.adapterReuse, module: OpenAlgoModule.factory, ...fields }, Message2026.reusingPool(poolKey(user.userId)));
      }
    } else {
      entry = this.create(user);
      this.entries.set(key, entry);
    }
    entry.clients += 1;
    const held = entry;
    return leaseOf(held.adapter, () => this.release(key, held, user));
  }

  async remove(userId: string, broker: BrokerName): Promise<void> {
    const key = registryKey(userId, broker);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.teardown(key, entry);
    await this.freeze.thawed();
  }

  health(): AdapterHealth[] {
    const live = new Map([...this.entries.values()].map((e) => [e.adapter, e.clients]));
    return [...this.everCreated]
      .filter((adapter) => live.has(adapter) || adapter.upstreamConnections() > 0)
      .map((adapter) => ({
        user: adapter.user.userId,
        broker: adapter.broker,
        state: adapter.state,
        upstreamConnections: adapter.upstreamConnections(),
        subscriptions: adapter.subscriptionCount(),
        clients: live.get(adapter) ?? 0,
      }));
  }

  async close(): Promise<void> {
    this.cap.close();
    for (const adapter of this.everCreated) adapter.destroy();
    this.entries.clear();
  }

  private create(user: UserRecord): Entry {
    const fields = { user: user.userId, broker: user.broker };
    if (this.version === '2025') {
      this.log.info({ event: LegacyLogEvent.adapterCreate, module: OpenAlgoModule.factory, ...fields }, Message2025.creatingAdapter);
    } else {
      const poolLog = this.log.child({ module: OpenAlgoModule.pool, ...fields });
      this.log.info({ event: LegacyLogEvent.adapterCreate, module: OpenAlgoModule.factory, ...fields }, Message2026.createdPool(poolKey(user.userId)));
      poolLog.info({ event: LegacyLogEvent.poolLifecycle }, Message2026.poolInitialized);
      poolLog.info({ event: LegacyLogEvent.poolLifecycle }, Message2026.poolConfig);
    }
    this.deps.metrics.adaptersCreated.inc();
    const adapterDeps: LegacyAdapterDeps = { ...this.deps, cap: this.cap, adapterId: this.nextAdapterId++ };
    const adapter = this.version === '2025' ? new AngelAdapter2025(user, adapterDeps) : new AngelAdapter2026(user, { ...adapterDeps, freeze: this.freeze });
    this.everCreated.add(adapter);
    adapter.connect();
    this.log.info({ event: LegacyLogEvent.adapterConnected, module: OpenAlgoModule.server, ...fields, adapter: adapter.id }, CommonMessage.successfullyCreated(user.userId));
    return { adapter, clients: 0, peakSymbols: 0 };
  }

  private release(key: string, entry: Entry, user: UserRecord): void {
    entry.peakSymbols = Math.max(entry.peakSymbols, entry.adapter.subscriptionCount());
    entry.clients -= 1;
    if (entry.clients > 0 || this.entries.get(key) !== entry) return;
    this.log.info(
      { event: LegacyLogEvent.adapterTeardown, module: OpenAlgoModule.server, user: user.userId, broker: user.broker, adapter: entry.adapter.id },
      CommonMessage.lastClient(user.userId),
    );
    this.teardown(key, entry);
  }

  private teardown(key: string, entry: Entry): void {
    this.entries.delete(key);
    const { adapter } = entry;
    const fields = { user: adapter.user.userId, broker: adapter.broker, adapter: adapter.id };
    if (this.version === '2026') {
      const poolLog = this.log.child({ module: OpenAlgoModule.pool, ...fields });
      poolLog.info({ event: LegacyLogEvent.poolLifecycle }, Message2026.poolDisconnecting);
      poolLog.info({ event: LegacyLogEvent.poolLifecycle }, Message2026.poolPeakConnections(1));
      poolLog.info({ event: LegacyLogEvent.poolLifecycle }, Message2026.poolPeakSymbols(Math.max(entry.peakSymbols, adapter.subscriptionCount())));
    }
    adapter.disconnect();
    if (this.version === '2026') {
      void this.freeze.thawed().then(() =>
        this.log.info({ event: LegacyLogEvent.poolLifecycle, module: OpenAlgoModule.pool, ...fields }, Message2026.poolDisconnected),
      );
    }
  }
}
