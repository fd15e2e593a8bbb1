import type { BrokerEvent } from '../../mock-broker/index.ts';

/** What the broker saw of the gateway itself, apart from the other application's held slots. */
export interface GatewayBrokerEvidence {
  /** Most connections the gateway held at once (the other application's excluded). */
  gatewayPeak: number;
  /** 429s the gateway drew after the other application had released the slots. */
  rejected429AfterRelease: number;
  /** Most handshakes the gateway made in any one second (accepted plus refused). */
  peakAttemptsPerSecond: number;
}

const SECOND_MS = 1000;

/**
 * Reads one client code's broker timeline between `from` and `to`, leaving out the connections the other
 * application held (`heldIds`) so a column says what the gateway did.
 */
export function gatewayEvidence(
  events: BrokerEvent[],
  window: { clientCode: string; from: number; to: number; heldIds: ReadonlySet<number>; releasedAt?: number },
): GatewayBrokerEvidence {
  const mine = events.filter((e) => e.clientCode === window.clientCode && e.time >= window.from && e.time <= window.to);
  const open = new Set<number>();
  let gatewayPeak = 0;
  let rejected429AfterRelease = 0;
  const attemptTimes: number[] = [];
  for (const event of mine) {
    if (event.type === 'accepted') {
      attemptTimes.push(event.time);
      if (window.heldIds.has(event.connectionId)) continue;
      open.add(event.connectionId);
      gatewayPeak = Math.max(gatewayPeak, open.size);
    } else if (event.type === 'closed') {
      open.delete(event.connectionId);
    } else {
      attemptTimes.push(event.time);
      if (event.status === 429 && (window.releasedAt === undefined || event.time >= window.releasedAt)) rejected429AfterRelease += 1;
    }
  }
  return { gatewayPeak, rejected429AfterRelease, peakAttemptsPerSecond: busiestSecond(attemptTimes) };
}

/** Largest number of times inside any window of one second (times in order). */
function busiestSecond(times: number[]): number {
  let best = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= SECOND_MS) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
