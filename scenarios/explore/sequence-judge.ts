import type { BrokerEvent } from '../../mock-broker/index.ts';
import { summariseBroker, type BrokerEvidence, type UpstreamConnection } from '../evidence/broker-evidence.ts';
import { describeConnection } from '../probe/probe.ts';
import { isStreamEvent } from './broker-watch.ts';
import type { PlanRun } from './plan-runner.ts';

/** What the deployment did wrong in one sequence, from the broker's record. */
export interface Violation {
  kind: 'overlap' | 'refused' | 'zombie';
  /** Epoch ms of the broker event that shows it. */
  at: number;
  detail: string;
}

export interface SequenceVerdict {
  failed: boolean;
  violations: Violation[];
  evidence: BrokerEvidence;
}

/** The reason the mock gives a refusal it was told to make: the explorer's own fault, never the deployment's. */
const INJECTED_REFUSAL = 'reject-next fault';

/**
 * A dial that lands just after the last client left was asked for while it was there (an attempt in
 * flight is let finish); only a connection opened this long after every client left served nobody.
 */
export const ZOMBIE_GRACE_MS = 100;

function openedWithNobody(connection: UpstreamConnection, spans: { from: number; to: number }[]): boolean {
  if (spans.length === 0 || connection.openedAt < Math.min(...spans.map((s) => s.from))) return false;
  return !spans.some((s) => connection.openedAt >= s.from && connection.openedAt <= s.to + ZOMBIE_GRACE_MS);
}

/**
 * Judges one sequence from the broker's record alone, as the probe does: more than one upstream
 * connection of a client code at once, a 429 the explorer did not inject, or a connection opened
 * while none of the explorer's clients was connected (a zombie).
 */
export function judgeSequence(run: PlanRun): SequenceVerdict {
  const clientSpans = run.clients.flatMap((c) => c.spans);
  const evidence = summariseBroker({ before: run.before, after: run.after, from: run.from, to: run.to, clientSpans });
  const violations: Violation[] = [];
  for (const overlap of evidence.overlaps) {
    violations.push({
      kind: 'overlap',
      at: overlap.at,
      detail: `${overlap.connections.length} upstream connections of ${overlap.clientCode} at once: ${overlap.connections.map(describeConnection).join('; ')}`,
    });
  }
  const refusals = run.after.events.filter(
    (e): e is Extract<BrokerEvent, { type: 'rejected' }> =>
      e.type === 'rejected' && e.status === 429 && e.reason !== INJECTED_REFUSAL && e.time >= run.from && e.time <= run.to && isStreamEvent(e),
  );
  if (refusals.length > 0) {
    violations.push({ kind: 'refused', at: refusals[0].time, detail: `${refusals.length} × 429 ${refusals[0].reason} for ${refusals[0].clientCode}` });
  }
  for (const connection of evidence.connections.filter((c) => openedWithNobody(c, clientSpans))) {
    violations.push({ kind: 'zombie', at: connection.openedAt, detail: describeConnection({ ...connection, openedWithNoClient: true }) });
  }
  violations.sort((a, b) => a.at - b.at);
  return { failed: violations.length > 0, violations, evidence };
}
