import { BrokerState, ServerMessageType, type SubscriptionStatusMessage } from '../../protocol/openalgo/index.ts';
import type { Tick } from '../../protocol/smartapi/index.ts';
import type { AdapterListener, BrokerStatusUpdate, UpstreamAdapter } from '../upstream/adapter-contract.ts';
import type { AdapterState } from '../upstream/lifecycle.ts';
import type { UpstreamKey } from '../upstream/upstream-key.ts';
import { encodeTextFrame } from './text-frame.ts';
import { TickFanOut, type FanOutCounters } from './fanout.ts';
import type { ClientSession } from './session.ts';

/** The part of a client session the router touches. */
export type RoutedSession = Pick<ClientSession, 'adapter' | 'notifyBrokerStatus' | 'notifyBrokerError'>;

interface AdapterClients {
  fanOut: TickFanOut;
  sessions: Set<RoutedSession>;
}

/**
 * The client side of every upstream adapter: which sessions hold it and the fan-out of its ticks. As the
 * registries' listener it routes each adapter's ticks, status and failures to those sessions; it forgets
 * an adapter when its last session leaves.
 */
export class AdapterRouter implements AdapterListener {
  private readonly perAdapter = new Map<UpstreamAdapter, AdapterClients>();
  /** Kept past the last session, so a client that authenticates later still hears the upstream's state. */
  private readonly lastStatus = new WeakMap<UpstreamAdapter, BrokerStatusUpdate>();

  constructor(
    private readonly counters: FanOutCounters,
    /** Keep each key's latest tick for new subscribers (off with `--no-snapshot`). */
    private readonly snapshots = true,
  ) {}

  onTick(adapter: UpstreamAdapter, tick: Tick): void {
    this.perAdapter.get(adapter)?.fanOut.publish(tick);
  }

  onStatus(adapter: UpstreamAdapter, status: BrokerStatusUpdate): void {
    this.lastStatus.set(adapter, status);
    for (const session of this.perAdapter.get(adapter)?.sessions ?? []) session.notifyBrokerStatus(status);
  }

  onFailed(adapter: UpstreamAdapter, message: string): void {
    for (const session of this.perAdapter.get(adapter)?.sessions ?? []) session.notifyBrokerError(message);
  }

  onKeysStatus(adapter: UpstreamAdapter, keys: UpstreamKey[], status: BrokerStatusUpdate & { message: string }): void {
    const fanOut = this.perAdapter.get(adapter)?.fanOut;
    if (!fanOut) return;
    for (const [subscriber, topics] of fanOut.holdersOf(keys)) {
      const message: SubscriptionStatusMessage = {
        type: ServerMessageType.subscriptionStatus,
        broker: adapter.broker,
        ...status,
        symbols: topics.map(({ symbol, exchange, mode }) => ({ symbol, exchange, mode })),
      };
      subscriber.deliver(encodeTextFrame(JSON.stringify(message)));
    }
  }

  fanOutFor(adapter: UpstreamAdapter): TickFanOut {
    return this.clientsOf(adapter).fanOut;
  }

  brokerStatusFor(adapter: UpstreamAdapter): BrokerStatusUpdate {
    return this.lastStatus.get(adapter) ?? brokerStatusOfState(adapter.state);
  }

  attached(session: RoutedSession): void {
    if (session.adapter) this.clientsOf(session.adapter).sessions.add(session);
  }

  detached(session: RoutedSession): void {
    const adapter = session.adapter;
    const entry = adapter && this.perAdapter.get(adapter);
    if (!entry) return;
    entry.sessions.delete(session);
    if (entry.sessions.size === 0) this.perAdapter.delete(adapter);
  }

  private clientsOf(adapter: UpstreamAdapter): AdapterClients {
    let entry = this.perAdapter.get(adapter);
    if (!entry) {
      entry = { fanOut: new TickFanOut(adapter.broker, this.counters, this.snapshots), sessions: new Set() };
      this.perAdapter.set(adapter, entry);
    }
    return entry;
  }
}

/** For adapters that do not report their state changes (the legacy ones): the state alone. */
function brokerStatusOfState(state: AdapterState): BrokerStatusUpdate {
  switch (state) {
    case 'open':
      return { state: BrokerState.open };
    case 'backoff':
      return { state: BrokerState.refusedRetrying };
    case 'failed':
    case 'closed':
      return { state: BrokerState.failed };
    case 'idle':
    case 'connecting':
      return { state: BrokerState.connecting };
  }
}
