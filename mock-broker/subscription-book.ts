import { DEPTH20_EXCHANGE_TYPE, MAX_DEPTH20_TOKENS, SubscriptionMode, type ExchangeTypeCode, type SubscriptionModeCode, type SmartApiRequest } from '../protocol/smartapi/index.ts';

/** Everyone subscribed to one (exchange type, token), by mode: the unit a tick is computed for. */
export interface TokenSubscribers<Subscriber> {
  exchangeType: ExchangeTypeCode;
  token: string;
  byMode: Map<SubscriptionModeCode, Set<Subscriber>>;
}

type TokenList = SmartApiRequest['params']['tokenList'];

const tokenKey = (exchangeType: number, token: string): string => `${exchangeType}|${token}`;

/**
 * Who is subscribed to what. Indexed both ways: by token, so each tick is computed once per interval
 * and its one Buffer sent to every subscriber; and by subscriber, for the per-connection limits and
 * for dropping everything a closed connection held.
 */
export class SubscriptionBook<Subscriber> {
  private readonly tokens = new Map<string, TokenSubscribers<Subscriber>>();
  private readonly bySubscriber = new Map<Subscriber, Map<string, Set<SubscriptionModeCode>>>();

  constructor(private readonly maxTokens: number) {}

  /**
   * Subscribes all of `tokenList` in `mode`, or none of it: returns false (the caller answers E1002)
   * when it would take the connection past `maxTokens` distinct tokens, or past Depth-20's 50 tokens,
   * or asks Depth-20 for an exchange other than nse_cm.
   */
  subscribe(subscriber: Subscriber, mode: SubscriptionModeCode, tokenList: TokenList): boolean {
    const held = this.bySubscriber.get(subscriber) ?? new Map<string, Set<SubscriptionModeCode>>();
    const fresh = new Set<string>();
    const freshInMode = new Set<string>();
    for (const { exchangeType, tokens } of tokenList) {
      if (mode === SubscriptionMode.depth20 && exchangeType !== DEPTH20_EXCHANGE_TYPE) return false;
      for (const token of tokens) {
        const key = tokenKey(exchangeType, token);
        if (!held.has(key)) fresh.add(key);
        if (!held.get(key)?.has(mode)) freshInMode.add(key);
      }
    }
    if (held.size + fresh.size > this.maxTokens) return false;
    if (mode === SubscriptionMode.depth20 && this.countInMode(held, mode) + freshInMode.size > MAX_DEPTH20_TOKENS) {
      return false;
    }
    for (const { exchangeType, tokens } of tokenList) {
      for (const token of tokens) {
        const key = tokenKey(exchangeType, token);
        const modes = held.get(key) ?? new Set<SubscriptionModeCode>();
        modes.add(mode);
        held.set(key, modes);
        const entry = this.tokens.get(key) ?? { exchangeType, token, byMode: new Map() };
        const subscribers = entry.byMode.get(mode) ?? new Set<Subscriber>();
        subscribers.add(subscriber);
        entry.byMode.set(mode, subscribers);
        this.tokens.set(key, entry);
      }
    }
    this.bySubscriber.set(subscriber, held);
    return true;
  }

  /** Unsubscribes `tokenList` in `mode`; tokens not subscribed are ignored, as SmartAPI does. */
  unsubscribe(subscriber: Subscriber, mode: SubscriptionModeCode, tokenList: TokenList): void {
    const held = this.bySubscriber.get(subscriber);
    if (!held) return;
    for (const { exchangeType, tokens } of tokenList) {
      for (const token of tokens) this.drop(subscriber, held, tokenKey(exchangeType, token), mode);
    }
    if (held.size === 0) this.bySubscriber.delete(subscriber);
  }

  /** Forgets everything a closed connection held. */
  remove(subscriber: Subscriber): void {
    const held = this.bySubscriber.get(subscriber);
    if (!held) return;
    for (const [key, modes] of held) for (const mode of [...modes]) this.drop(subscriber, held, key, mode);
    this.bySubscriber.delete(subscriber);
  }

  /** Number of (token, mode) subscriptions a subscriber holds. */
  countFor(subscriber: Subscriber): number {
    let count = 0;
    for (const modes of this.bySubscriber.get(subscriber)?.values() ?? []) count += modes.size;
    return count;
  }

  /** Every (exchange type, token, mode) a subscriber holds. */
  entriesFor(subscriber: Subscriber): { exchangeType: number; token: string; mode: SubscriptionModeCode }[] {
    const entries: { exchangeType: number; token: string; mode: SubscriptionModeCode }[] = [];
    for (const [key, modes] of this.bySubscriber.get(subscriber) ?? []) {
      const { exchangeType, token } = this.tokens.get(key)!;
      for (const mode of modes) entries.push({ exchangeType, token, mode });
    }
    return entries;
  }

  /** Every subscribed token with its subscribers; safe to iterate while subscribers are removed. */
  subscribedTokens(): IterableIterator<TokenSubscribers<Subscriber>> {
    return this.tokens.values();
  }

  private countInMode(held: Map<string, Set<SubscriptionModeCode>>, mode: SubscriptionModeCode): number {
    let count = 0;
    for (const modes of held.values()) if (modes.has(mode)) count++;
    return count;
  }

  private drop(subscriber: Subscriber, held: Map<string, Set<SubscriptionModeCode>>, key: string, mode: SubscriptionModeCode): void {
    const modes = held.get(key);
    if (!modes?.delete(mode)) return;
    if (modes.size === 0) held.delete(key);
    const entry = this.tokens.get(key);
    const subscribers = entry?.byMode.get(mode);
    if (!entry || !subscribers) return;
    subscribers.delete(subscriber);
    if (subscribers.size === 0) entry.byMode.delete(mode);
    if (entry.byMode.size === 0) this.tokens.delete(key);
  }
}
