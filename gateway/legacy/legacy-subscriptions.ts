import { buildRequests, UpstreamSubscriptions, type UpstreamKey } from '../upstream/upstream-key.ts';
import { Action, type SmartApiRequest } from '../../protocol/smartapi/index.ts';

/**
 * What OpenAlgo's angel adapter does alike in 2025-11 and 2026-08: every subscription is booked, but
 * sent to the broker only while the SDK says it is connected, and the whole book is replayed on open.
 * A subscribe made while the SDK reconnects is therefore only booked, as in the real code.
 */
export abstract class LegacySubscriptions {
  protected connected = false;
  protected readonly subscribed = new UpstreamSubscriptions();

  constructor(private readonly maxTokens: number) {}

  /** The SDK's `send`; false when its socket is already closed (the rest of the batch is dropped). */
  protected abstract sendText(text: string): boolean;

  subscribe(keys: UpstreamKey[]): void {
    const added = this.subscribed.add(keys);
    if (added.length > 0 && this.connected) this.send(buildRequests(Action.subscribe, added));
  }

  unsubscribe(keys: UpstreamKey[]): void {
    const removed = this.subscribed.remove(keys);
    if (removed.length > 0 && this.connected) this.send(buildRequests(Action.unsubscribe, removed));
  }

  remainingCapacity(): number {
    return this.maxTokens - this.subscribed.size;
  }

  carries(key: UpstreamKey): boolean {
    return this.subscribed.has(key);
  }

  subscriptionCount(): number {
    return this.subscribed.size;
  }

  protected replaySubscriptions(): void {
    if (this.subscribed.size > 0) this.send(buildRequests(Action.subscribe, this.subscribed.values()));
  }

  private send(requests: SmartApiRequest[]): void {
    for (const request of requests) if (!this.sendText(JSON.stringify(request))) return;
  }
}
