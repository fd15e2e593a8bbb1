import type { BrokerEvent, MockBrokerStats } from '../../mock-broker/index.ts';

/** What the broker reported at one moment: its counters and its connection timeline. */
export interface BrokerRecord {
  stats: MockBrokerStats;
  events: BrokerEvent[];
}

/** One upstream `/smart-stream` connection the broker accepted during the run. */
export interface UpstreamConnection {
  id: number;
  clientCode: string;
  openedAt: number;
  /** Absent while still open at the end of the run. */
  closedAt?: number;
  closeReason?: string;
  /**
   * Opened while the probe had no client connected, after its first client had come: nobody the
   * gateway served asked for it. This is a zombie (an SDK socket reconnecting for a torn-down adapter).
   */
  openedWithNoClient: boolean;
  /** Already open when the window began: it counts in overlaps, never as opened by the run. */
  openedBefore?: true;
}

/** The connections of one client code that were open together at its peak. */
export interface PeakOverlap {
  clientCode: string;
  at: number;
  connections: UpstreamConnection[];
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
  /** Every upstream connection accepted during the run, and those already open when it began, oldest first. */
  connections: UpstreamConnection[];
  /** Per client code that had more than one open at once: the connections open at its first peak. */
  overlaps: PeakOverlap[];
}

export interface BrokerWindow {
  before: BrokerRecord;
  after: BrokerRecord;
  /** Epoch ms bounds of the run on the broker's clock (the same host's clock for a loopback broker). */
  from: number;
  to: number;
  /** Only these client codes; all the run touched when absent. */
  clientCodes?: string[];
  /** When the probe's clients were connected; without them no connection is judged a zombie. */
  clientSpans?: { from: number; to: number }[];
}

/** Clocks of the probe and a loopback broker agree, but the two sides stamp one moment a few ms apart. */
const SPAN_SLACK_MS = 50;

/** Only `/smart-stream` events count as upstream market-data connections; older mocks name no endpoint. */
const isStreamEvent = (e: BrokerEvent): boolean => (e.endpoint ?? 'smart-stream') === 'smart-stream';

function hadNoClient(time: number, spans: { from: number; to: number }[]): boolean {
  if (spans.length === 0) return false;
  const firstClient = Math.min(...spans.map((s) => s.from));
  if (time < firstClient) return false;
  return !spans.some((s) => time >= s.from - SPAN_SLACK_MS && time <= s.to + SPAN_SLACK_MS);
}

/**
 * The run's upstream connections from the event timeline, and for each client code that held more
 * than one at once, which ones overlapped at the first moment it reached its highest count. Events
 * before `from` only tell which connections were already open when the window began: those count in
 * overlaps (marked `openedBefore`), and a connection that opened and closed before it is left out.
 */
export function traceConnections(
  events: BrokerEvent[],
  spans: { from: number; to: number }[] = [],
  from = Number.NEGATIVE_INFINITY,
): Pick<BrokerEvidence, 'connections' | 'overlaps'> {
  const connections: UpstreamConnection[] = [];
  const byId = new Map<number, UpstreamConnection>();
  const open = new Map<string, Set<UpstreamConnection>>();
  const best = new Map<string, PeakOverlap>();
  for (const event of events) {
    if (event.type === 'accepted') {
      const before = event.time < from;
      const connection: UpstreamConnection = {
        id: event.connectionId,
        clientCode: event.clientCode,
        openedAt: event.time,
        openedWithNoClient: !before && hadNoClient(event.time, spans),
        ...(before ? { openedBefore: true as const } : {}),
      };
      connections.push(connection);
      byId.set(connection.id, connection);
      const live = open.get(event.clientCode) ?? new Set<UpstreamConnection>();
      open.set(event.clientCode, live.add(connection));
      if (!before && live.size > 1 && live.size > (best.get(event.clientCode)?.connections.length ?? 0)) {
        best.set(event.clientCode, { clientCode: event.clientCode, at: event.time, connections: [...live] });
      }
    } else if (event.type === 'closed') {
      const connection = byId.get(event.connectionId);
      if (!connection) continue;
      connection.closedAt = event.time;
      connection.closeReason = event.reason;
      open.get(connection.clientCode)?.delete(connection);
    }
  }
  const inWindow = connections.filter((c) => !c.openedBefore || c.closedAt === undefined || c.closedAt >= from);
  return { connections: inWindow, overlaps: [...best.values()] };
}

/**
 * Summarises what the broker saw between two snapshots without relying on a reset: events inside the
 * window are the primary record, and counters that grew between the snapshots cover events the broker
 * may have trimmed from its timeline. A counter that shrank means someone reset the broker meanwhile;
 * the events still count then.
 */
export function summariseBroker(window: BrokerWindow): BrokerEvidence {
  const { before, after, from, to } = window;
  const inRange = after.events.filter((e) => e.time >= from && e.time <= to && isStreamEvent(e));
  const wanted = (code: string) => !window.clientCodes || window.clientCodes.includes(code);
  const traced = traceConnections(
    after.events.filter((e) => e.time <= to && isStreamEvent(e) && wanted(e.clientCode)),
    window.clientSpans,
    from,
  );
  const evidence: BrokerEvidence = { peak: {}, attempts: {}, rejected429: {}, rejected401: {}, ticksSent: 0, ...traced };
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
