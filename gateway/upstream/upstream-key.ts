import { randomBytes } from 'node:crypto';
import {
  type ActionCode,
  type ExchangeTypeCode,
  type SmartApiRequest,
  type SubscriptionModeCode,
} from '../../protocol/smartapi/index.ts';

/** One upstream subscription: what AngelOne counts and ticks are addressed by. */
export interface UpstreamKey {
  exchangeType: ExchangeTypeCode;
  token: string;
  mode: SubscriptionModeCode;
}

/** Stable string form of an UpstreamKey, used as a Map key on the tick path. */
export function upstreamKeyId(exchangeType: number, token: string, mode: number): string {
  return `${mode}|${exchangeType}|${token}`;
}

const CORRELATION_ID_LENGTH = 10;

/** SmartAPI wants a 10-character correlation ID on every request. */
export function correlationId(): string {
  return randomBytes(CORRELATION_ID_LENGTH).toString('base64url').slice(0, CORRELATION_ID_LENGTH);
}

/**
 * Groups keys into SmartAPI requests: one per mode, each listing its tokens per exchange type, so a burst
 * of client subscribes becomes as few upstream frames as the protocol allows.
 */
export function buildRequests(action: ActionCode, keys: Iterable<UpstreamKey>): SmartApiRequest[] {
  const byMode = new Map<SubscriptionModeCode, Map<ExchangeTypeCode, string[]>>();
  for (const key of keys) {
    let byExchange = byMode.get(key.mode);
    if (!byExchange) byMode.set(key.mode, (byExchange = new Map()));
    let tokens = byExchange.get(key.exchangeType);
    if (!tokens) byExchange.set(key.exchangeType, (tokens = []));
    tokens.push(key.token);
  }
  return [...byMode].map(([mode, byExchange]) => ({
    correlationID: correlationId(),
    action,
    params: { mode, tokenList: [...byExchange].map(([exchangeType, tokens]) => ({ exchangeType, tokens })) },
  }));
}

/**
 * The (token, mode) pairs one adapter holds upstream, each once. Both registry modes' adapters keep one;
 * `add` and `remove` return only what changed, which is exactly what goes on the wire.
 */
export class UpstreamSubscriptions {
  private readonly keys = new Map<string, UpstreamKey>();

  add(keys: UpstreamKey[]): UpstreamKey[] {
    return keys.filter((key) => {
      const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
      if (this.keys.has(id)) return false;
      this.keys.set(id, key);
      return true;
    });
  }

  remove(keys: UpstreamKey[]): UpstreamKey[] {
    return keys.filter((key) => this.keys.delete(upstreamKeyId(key.exchangeType, key.token, key.mode)));
  }

  has(key: UpstreamKey): boolean {
    return this.keys.has(upstreamKeyId(key.exchangeType, key.token, key.mode));
  }

  get size(): number {
    return this.keys.size;
  }

  values(): Iterable<UpstreamKey> {
    return this.keys.values();
  }
}
