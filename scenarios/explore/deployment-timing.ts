import type { BrokerAdminClient } from '../probe/broker-admin-client.ts';
import type { BrokerRecord } from '../evidence/broker-evidence.ts';
import type { OpenAlgoSession } from '../traffic/openalgo-client.ts';
import type { SymbolRef } from '../../protocol/openalgo/index.ts';
import { OpenAlgoMode } from '../../protocol/openalgo/index.ts';
import { BrokerWatch } from './broker-watch.ts';

/** What the explorer learned of a deployment before generating sequences for it. */
export interface DeploymentTiming {
  /** The client code the deployment's upstream connections use. */
  clientCode: string;
  /** From a client's connect to the deployment's upstream handshake (0 when one was already open). */
  dialMs: number;
  /**
   * From a broker drop to the deployment's next handshake: the SDK's retry sleep, or the gateway's
   * back-off. Every delay the explorer generates is a fraction or a multiple of it.
   */
  reconnectMs: number;
  /** Set when a default stands in for something the deployment did not show. */
  note?: string;
}

/** Below this the steps of a sequence would all fall in one timer tick. */
const MIN_RECONNECT_MS = 100;
const WAIT_FOR_DIAL_MS = 10_000;
const WAIT_FOR_RECONNECT_MS = 30_000;
const FALLBACK_RECONNECT_MS = 1000;
const DROPS = 2;

/** Thrown when the deployment never shows an upstream connection to learn from. */
export class TimingNotLearned extends Error {}

/**
 * Learns the deployment's time scale from the broker's record (`before` was read just before the client
 * connected at `openedAt`): the client subscribes (the deployment dials, or already holds a connection),
 * then the broker drops that client code's connections twice and the longer time to the next accepted
 * connection is kept. The session is left open; the caller closes it. `signal` cuts the waits short (an
 * interrupt); what was learned by then is returned, or TimingNotLearned thrown.
 */
export async function learnTiming(
  session: OpenAlgoSession,
  openedAt: number,
  before: BrokerRecord,
  admin: BrokerAdminClient,
  symbol: SymbolRef,
  signal?: AbortSignal,
): Promise<DeploymentTiming> {
  const watch = new BrokerWatch(admin);
  await session.subscribe([[symbol]], OpenAlgoMode.LTP);
  const dialled = await watch.next(openedAt, (e) => e.type === 'accepted', WAIT_FOR_DIAL_MS, signal);
  const alreadyOpen = Object.entries(before.stats.current).filter(([, n]) => n > 0).map(([code]) => code);
  const clientCode = dialled?.clientCode ?? (alreadyOpen.length === 1 ? alreadyOpen[0] : undefined);
  if (clientCode === undefined) {
    throw new TimingNotLearned(
      `the broker saw no upstream connection within ${WAIT_FOR_DIAL_MS / 1000} s of a subscribe — is --broker-admin the broker behind the target?`,
    );
  }
  const dialMs = dialled ? Math.max(0, dialled.time - openedAt) : 0;
  // Twice, keeping the longer: a handshake already in flight when the broker dropped would pass for a
  // reconnect of a few ms and shrink every delay of the search tenfold.
  const waits: number[] = [];
  for (let drop = 0; drop < DROPS; drop++) {
    const droppedAt = Date.now();
    await admin.inject({ type: 'drop-all', mode: 'abort', clientCode });
    const again = await watch.next(droppedAt, (e) => e.clientCode === clientCode && e.type === 'accepted', WAIT_FOR_RECONNECT_MS, signal);
    if (!again) {
      return {
        clientCode,
        dialMs,
        reconnectMs: FALLBACK_RECONNECT_MS,
        note: `the deployment did not connect again within ${WAIT_FOR_RECONNECT_MS / 1000} s of a broker drop; delays are scaled to ${FALLBACK_RECONNECT_MS} ms`,
      };
    }
    waits.push(again.time - droppedAt);
  }
  return { clientCode, dialMs, reconnectMs: Math.max(MIN_RECONNECT_MS, ...waits) };
}
