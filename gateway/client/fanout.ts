import { toMarketData, ServerMessageType, type BrokerName, type MarketData, type MarketDataMessage, type OpenAlgoModeCode } from '../../protocol/openalgo/index.ts';
import type { Tick } from '../../protocol/smartapi/index.ts';
import { upstreamKeyId, type UpstreamKey } from '../upstream/upstream-key.ts';
import { encodeTextFrame } from './text-frame.ts';

/** A client as the fan-out sees it: something that takes a ready-made frame, or declines it. */
export interface Subscriber {
  /** Takes a complete WebSocket text frame (header included); returns false when it was dropped (slow client). */
  deliver(frame: Buffer): boolean;
}

/** What a client subscribed to: the names it used, so market_data echoes them back. */
export interface TopicSpec {
  symbol: string;
  exchange: string;
  mode: OpenAlgoModeCode;
  upstream: UpstreamKey;
}

interface Topic extends TopicSpec {
  id: string;
  subscribers: Set<Subscriber>;
}

export interface FanOutCounters {
  delivered(n: number): void;
  dropped(n: number): void;
}

/**
 * Per-adapter distribution of ticks to clients. Topics (symbol, exchange, mode as the client named them)
 * hold subscriber sets; upstream keys (token, mode) hold topics. This is where upstream subscriptions are
 * reference-counted: `add` reports the first holder of an upstream key, `remove` the last.
 *
 * Each tick is serialised and framed once per topic and the same Buffer goes to every subscriber: no
 * per-client JSON, no per-client framing.
 */
export class TickFanOut {
  private readonly topics = new Map<string, Topic>();
  private readonly byUpstream = new Map<string, Set<Topic>>();
  /** The latest tick per upstream key someone holds, for new subscribers (`--no-snapshot` keeps none). */
  private readonly latest = new Map<string, Tick>();

  constructor(
    private readonly broker: BrokerName,
    private readonly counters: FanOutCounters,
    private readonly keepLatest = true,
  ) {}

  /** Stable id of a topic, for the client's own bookkeeping. */
  static topicId(symbol: string, exchange: string, mode: number): string {
    return `${mode}|${exchange}|${symbol}`;
  }

  /** Adds `subscriber` to a topic; returns true when this makes `spec.upstream` needed upstream. */
  add(subscriber: Subscriber, spec: TopicSpec): boolean {
    const id = TickFanOut.topicId(spec.symbol, spec.exchange, spec.mode);
    let topic = this.topics.get(id);
    let firstForUpstream = false;
    if (!topic) {
      topic = { ...spec, id, subscribers: new Set() };
      this.topics.set(id, topic);
      const upstreamId = upstreamKeyId(spec.upstream.exchangeType, spec.upstream.token, spec.upstream.mode);
      let topics = this.byUpstream.get(upstreamId);
      if (!topics) {
        this.byUpstream.set(upstreamId, (topics = new Set()));
        firstForUpstream = true;
      }
      topics.add(topic);
    }
    topic.subscribers.add(subscriber);
    return firstForUpstream;
  }

  /** Whether adding this spec would need a new upstream key (so the caller can check capacity first). */
  needsUpstream(spec: TopicSpec): boolean {
    return !this.byUpstream.has(upstreamKeyId(spec.upstream.exchangeType, spec.upstream.token, spec.upstream.mode));
  }

  /** Removes `subscriber` from a topic; returns the upstream key when nobody needs it any more. */
  remove(subscriber: Subscriber, topicId: string): UpstreamKey | undefined {
    const topic = this.topics.get(topicId);
    if (!topic || !topic.subscribers.delete(subscriber) || topic.subscribers.size > 0) return undefined;
    this.topics.delete(topicId);
    const upstreamId = upstreamKeyId(topic.upstream.exchangeType, topic.upstream.token, topic.upstream.mode);
    const topics = this.byUpstream.get(upstreamId)!;
    topics.delete(topic);
    if (topics.size > 0) return undefined;
    this.byUpstream.delete(upstreamId);
    this.latest.delete(upstreamId);
    return topic.upstream;
  }

  /**
   * The latest tick of the spec's upstream key as a `market_data` frame marked `"snapshot": true`, or
   * undefined when none arrived yet: a new subscriber gets the last price at once instead of waiting for
   * the next trade, which in a quiet market can take minutes.
   */
  snapshotFrame(spec: TopicSpec): Buffer | undefined {
    const tick = this.latest.get(upstreamKeyId(spec.upstream.exchangeType, spec.upstream.token, spec.upstream.mode));
    const data = tick && toMarketData(tick);
    return data && this.frame(spec, data, true);
  }

  /** Each subscriber holding any of `keys`, with the topics through which it holds them. */
  holdersOf(keys: UpstreamKey[]): Map<Subscriber, TopicSpec[]> {
    const holders = new Map<Subscriber, TopicSpec[]>();
    for (const key of keys) {
      for (const topic of this.byUpstream.get(upstreamKeyId(key.exchangeType, key.token, key.mode)) ?? []) {
        for (const subscriber of topic.subscribers) {
          let topics = holders.get(subscriber);
          if (!topics) holders.set(subscriber, (topics = []));
          topics.push(topic);
        }
      }
    }
    return holders;
  }

  /** Sends one tick to every client subscribed to it. */
  publish(tick: Tick): void {
    const upstreamId = upstreamKeyId(tick.exchangeType, tick.token, tick.mode);
    const topics = this.byUpstream.get(upstreamId);
    if (!topics) return;
    const data = toMarketData(tick);
    if (!data) return;
    if (this.keepLatest) this.latest.set(upstreamId, tick);
    for (const topic of topics) {
      const frame = this.frame(topic, data, false);
      let delivered = 0;
      let dropped = 0;
      for (const subscriber of topic.subscribers) {
        if (subscriber.deliver(frame)) delivered += 1;
        else dropped += 1;
      }
      if (delivered > 0) this.counters.delivered(delivered);
      if (dropped > 0) this.counters.dropped(dropped);
    }
  }

  private frame(topic: TopicSpec, data: MarketData, snapshot: boolean): Buffer {
    const message: MarketDataMessage = {
      type: ServerMessageType.marketData,
      symbol: topic.symbol,
      exchange: topic.exchange,
      mode: topic.mode,
      broker: this.broker,
      data,
      ...(snapshot && { snapshot: true }),
    };
    return encodeTextFrame(JSON.stringify(message));
  }
}
