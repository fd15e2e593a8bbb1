import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerEvent } from '../../mock-broker/index.ts';
import type { BrokerAdminClient } from '../probe/broker-admin-client.ts';

const POLL_MS = 25;

/** Only `/smart-stream` handshakes and closes are the deployment's upstream; older mocks name no endpoint. */
export const isStreamEvent = (e: BrokerEvent): boolean => (e.endpoint ?? 'smart-stream') === 'smart-stream';

/**
 * Watches the mock broker's event timeline over its admin API: the explorer learns timings from it,
 * fires faults on a client code's first connection and waits for the broker to go quiet between sequences.
 */
export class BrokerWatch {
  constructor(private readonly admin: BrokerAdminClient) {}

  /** The first stream event at or after `since` that `match` accepts, or undefined after `timeoutMs`. */
  async next(since: number, match: (e: BrokerEvent) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<BrokerEvent | undefined> {
    const giveUp = Date.now() + timeoutMs;
    while (!signal?.aborted) {
      const found = (await this.admin.events()).find((e) => e.time >= since && isStreamEvent(e) && match(e));
      if (found || Date.now() > giveUp) return found;
      await sleep(POLL_MS);
    }
    return undefined;
  }

  /**
   * Resolves once `clientCode` has had no stream event for `quietMs` (a sleeping retry that dials late
   * still lands before the next sequence), or after `maxMs` whatever happens, or once `signal` aborts.
   */
  async quiet(clientCode: string | undefined, quietMs: number, maxMs: number, signal?: AbortSignal): Promise<void> {
    const giveUp = Date.now() + maxMs;
    while (!signal?.aborted) {
      const events = await this.admin.events();
      const last = events.filter((e) => isStreamEvent(e) && (clientCode === undefined || e.clientCode === clientCode)).at(-1);
      const since = Date.now() - (last?.time ?? 0);
      if (since >= quietMs || Date.now() >= giveUp) return;
      await sleep(Math.min(quietMs - since, giveUp - Date.now()), undefined, { signal }).catch(() => undefined);
    }
  }
}
