import type { UpstreamKey } from '../upstream/upstream-key.ts';
import type { InstrumentMaster } from '../instruments.ts';
import { SMARTAPI_MODE, ErrorCode, Messages, OpenAlgoMode, ServerMessageType, type ErrorCodeValue, type SubscribeResponse, type SubscriptionResult, type UnsubscribeResponse } from '../../protocol/openalgo/index.ts';
import type { UpstreamAdapter } from '../upstream/adapter-contract.ts';
import { MAX_TOKENS_PER_CONNECTION } from '../../protocol/smartapi/index.ts';
import { TickFanOut, type Subscriber, type TopicSpec } from './fanout.ts';
import type { SubscribeRequest, SymbolRequest } from './requests.ts';

/** AngelOne's SnapQuote carries five levels a side; Depth subscriptions must ask for that. */
const SUPPORTED_DEPTH = 5;

/**
 * One client's subscriptions: resolves symbols through the instrument master, enforces the per-client
 * cap and the adapter's token capacity, and joins or leaves fan-out topics, passing the upstream keys
 * that gained their first or lost their last holder on to the adapter.
 */
export class ClientSubscriptions {
  private readonly topics = new Map<string, TopicSpec>();

  constructor(
    private readonly subscriber: Subscriber,
    private readonly instruments: InstrumentMaster,
    private readonly maxSubscriptions: number,
  ) {}

  /**
   * Subscribes to each item it can; per-item failures go in the reply, never as a frame error. `snapshots`
   * are the latest ticks of the topics this client just joined, to send after the reply.
   */
  subscribe(request: SubscribeRequest, adapter: UpstreamAdapter, fanOut: TickFanOut): { reply: SubscribeResponse; snapshots: Buffer[] } {
    const snapshots: Buffer[] = [];
    const results: SubscriptionResult[] = [];
    const newUpstream: UpstreamKey[] = [];
    /** Index in `results` of each accepted item, with its upstream key. */
    const accepted = new Map<number, UpstreamKey>();
    let capacity = adapter.remainingCapacity();
    for (const item of request.items) {
      const failure = (message: string, code?: ErrorCodeValue): void => {
        results.push({ symbol: item.symbol, exchange: item.exchange, status: 'error', message, broker: adapter.broker, ...(code && { code }) });
      };
      if (item.mode === OpenAlgoMode.Depth && request.depth !== SUPPORTED_DEPTH) {
        failure(`Depth level ${request.depth} is not supported by angel; use ${SUPPORTED_DEPTH}`);
        continue;
      }
      const spec = this.topicSpec(item);
      if (!spec) {
        failure(symbolNotFound(item), ErrorCode.symbolNotFound);
        continue;
      }
      const topicId = TickFanOut.topicId(spec.symbol, spec.exchange, spec.mode);
      if (!this.topics.has(topicId)) {
        const takesToken = fanOut.needsUpstream(spec) && !adapter.carries(spec.upstream);
        if (takesToken && capacity <= 0) {
          failure(capacityMessage(adapter));
          continue;
        }
        if (this.topics.size >= this.maxSubscriptions) {
          failure(`Subscription limit reached: at most ${this.maxSubscriptions} subscriptions per client`);
          continue;
        }
        if (takesToken) capacity -= 1;
        this.topics.set(topicId, spec);
        if (fanOut.add(this.subscriber, spec)) newUpstream.push(spec.upstream);
        const snapshot = fanOut.snapshotFrame(spec);
        if (snapshot) snapshots.push(snapshot);
      }
      results.push({ symbol: item.symbol, exchange: item.exchange, status: 'success', mode: item.mode, depth: request.depth, broker: adapter.broker });
      accepted.set(results.length - 1, spec.upstream);
    }
    if (newUpstream.length > 0) adapter.subscribe(newUpstream);
    // Asked after subscribing: a key's pool connection is only chosen then.
    for (const [i, key] of accepted) {
      const reason = adapter.waitingReason?.(key);
      const result = results[i]!;
      if (reason !== undefined && result.status === 'success') results[i] = { ...result, status: 'pending', message: reason };
    }
    const failed = results.filter((r) => r.status === 'error').length;
    const reply: SubscribeResponse = {
      type: ServerMessageType.subscribe,
      status: failed === 0 ? 'success' : failed === results.length ? 'error' : 'partial',
      subscriptions: results,
      message: Messages.subscriptionComplete,
      broker: adapter.broker,
    };
    return { reply, snapshots };
  }

  unsubscribe(items: SymbolRequest[], adapter: UpstreamAdapter, fanOut: TickFanOut): UnsubscribeResponse {
    const successful: UnsubscribeResponse['successful'] = [];
    const failed: UnsubscribeResponse['failed'] = [];
    const released: UpstreamKey[] = [];
    for (const item of items) {
      const spec = this.topicSpec(item);
      if (!spec) {
        failed.push({ symbol: item.symbol, exchange: item.exchange, message: symbolNotFound(item), code: ErrorCode.symbolNotFound });
        continue;
      }
      const topicId = TickFanOut.topicId(spec.symbol, spec.exchange, spec.mode);
      if (this.topics.delete(topicId)) {
        const key = fanOut.remove(this.subscriber, topicId);
        if (key) released.push(key);
      }
      successful.push({ symbol: item.symbol, exchange: item.exchange, mode: item.mode });
    }
    if (released.length > 0) adapter.unsubscribe(released);
    return unsubscribeResponse(successful, failed, adapter);
  }

  unsubscribeAll(adapter: UpstreamAdapter, fanOut: TickFanOut): UnsubscribeResponse {
    const successful = [...this.topics.values()].map(({ symbol, exchange, mode }) => ({ symbol, exchange, mode }));
    this.clear(adapter, fanOut);
    return unsubscribeResponse(successful, [], adapter);
  }

  private topicSpec(item: SymbolRequest): TopicSpec | undefined {
    const resolved = this.instruments.resolve(item.symbol, item.exchange);
    if (!resolved) return undefined;
    return {
      symbol: item.symbol,
      exchange: item.exchange,
      mode: item.mode,
      upstream: { exchangeType: resolved.exchangeType, token: resolved.token, mode: SMARTAPI_MODE[item.mode] },
    };
  }

  /** Leaves every topic (unsubscribe_all, disconnect, re-authentication). */
  clear(adapter: UpstreamAdapter, fanOut: TickFanOut): void {
    const released: UpstreamKey[] = [];
    for (const topicId of this.topics.keys()) {
      const key = fanOut.remove(this.subscriber, topicId);
      if (key) released.push(key);
    }
    this.topics.clear();
    if (released.length > 0) adapter.unsubscribe(released);
  }
}

function unsubscribeResponse(
  successful: UnsubscribeResponse['successful'],
  failed: UnsubscribeResponse['failed'],
  adapter: UpstreamAdapter,
): UnsubscribeResponse {
  return {
    type: ServerMessageType.unsubscribe,
    status: failed.length === 0 ? 'success' : successful.length === 0 ? 'error' : 'partial',
    message: Messages.unsubscriptionComplete,
    successful,
    failed,
    broker: adapter.broker,
  };
}

/** Why a subscribe past the adapter's budget is refused, naming the budget. */
function capacityMessage(adapter: UpstreamAdapter): string {
  const budget = adapter.tokenBudget ?? { connections: 1, tokensPerConnection: MAX_TOKENS_PER_CONNECTION };
  if (budget.connections === 1) return `Subscription limit reached: AngelOne allows ${budget.tokensPerConnection} tokens per connection`;
  return (
    `Subscription limit reached: the user's ${budget.connections} upstream connections (--max-upstream) ` +
    `hold ${budget.connections * budget.tokensPerConnection} tokens, ${budget.tokensPerConnection} each, all in use`
  );
}

function symbolNotFound(item: SymbolRequest): string {
  return `Symbol ${item.symbol} not found on ${item.exchange}`;
}
