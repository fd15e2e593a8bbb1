import type { BrokerEvent, MockBrokerStats } from '../../fixtures/angel-broker/types.ts';

/** What the broker reported at one moment: its counters and its connection timeline. */
export interface BrokerRecord {
  stats: MockBrokerStats;
  events: BrokerEvent[];
}

/** The broker's view of one run, per client code. */
export interface BrokerEvidence {
  /** Most connections one client code held open at once during the run. */
  peak: Record<string, number>;
  /** Handshakes that reached the broker: accepted plus refused. */
  attempts: Record<string, number>;
  rejected429: Record<string, number>;
  rejected401: Record<string, number>;
  /** Ticks the broker sent during the run (all client codes). */
  ticksSent: number;
}

export interface BrokerWindow {
  before: BrokerRecord;
  after: BrokerRecord;
  /** Epoch ms bounds of the run on the broker's clock (the same host's clock for a loopback broker). */
  from: number;
  to: number;
  /** Only these client codes; all the run touched when absent. */
  clientCodes?: string[];
}

/**
 * Summarises what the broker saw between two snapshots without relying on a reset: events inside the
 * window are the primary record, and counters that grew between the snapshots cover events the broker
 * may have trimmed from its timeline. A counter that shrank means someone reset the broker meanwhile;
 * the events still count then.
 */
export function summariseBroker(window: BrokerWindow): BrokerEvidence {
  const { before, after, from, to } = window;
  const inRange = after.events.filter((e) => e.time >= from && e.time <= to);
  const wanted = (code: string) => !window.clientCodes || window.clientCodes.includes(code);
  const evidence: BrokerEvidence = { peak: {}, attempts: {}, rejected429: {}, rejected401: {}, ticksSent: 0 };
  const bump = (table: Record<string, number>, code: string, by = 1) => (table[code] = (table[code] ?? 0) + by);

  for (const [code, open] of Object.entries(before.stats.current)) {
    if (wanted(code) && open > 0) evidence.peak[code] = open;
  }
  for (const event of inRange) {
    if (!wanted(event.clientCode)) continue;
    evidence.peak[event.clientCode] ??= 0;
    if (event.type === 'accepted') {
      bump(evidence.attempts, event.clientCode);
      evidence.peak[event.clientCode] = Math.max(evidence.peak[event.clientCode], event.count);
    } else if (event.type === 'rejected') {
      bump(evidence.attempts, event.clientCode);
      bump(event.status === 429 ? evidence.rejected429 : evidence.rejected401, event.clientCode);
    }
  }
  for (const [code, peak] of Object.entries(after.stats.peak)) {
    if (wanted(code) && peak > (before.stats.peak[code] ?? 0)) evidence.peak[code] = Math.max(evidence.peak[code] ?? 0, peak);
  }
  const total429 = sum(evidence.rejected429);
  const grown429 = after.stats.rejected['429'] - before.stats.rejected['429'];
  if (!window.clientCodes && grown429 > total429) evidence.rejected429['(unattributed)'] = grown429 - total429;
  const grownTicks = after.stats.ticksSent - before.stats.ticksSent;
  evidence.ticksSent = grownTicks >= 0 ? grownTicks : after.stats.ticksSent;
  return evidence;
}

/** Total of a per-client-code table. */
export function sum(table: Record<string, number>): number {
  return Object.values(table).reduce((a, b) => a + b, 0);
}

/** Highest value of a per-client-code table (0 when empty). */
export function highest(table: Record<string, number>): number {
  return Math.max(0, ...Object.values(table));
}
