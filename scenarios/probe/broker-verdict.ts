import type { Fault } from '../../mock-broker/index.ts';
import { MAX_TOKENS_PER_CONNECTION } from '../../protocol/smartapi/index.ts';
import type { BrokerEvent } from '../../mock-broker/index.ts';
import { summariseBroker, type BrokerEvidence, type BrokerWindow, type UpstreamConnection } from '../evidence/broker-evidence.ts';
import type { ProbeCheck } from './probe-check.ts';
import { BACKOFF_FLOOR_MS } from '../../contract/backoff-floor.ts';

/** A fault the probe injected at the broker, and what the broker said it touched. */
export interface InjectedFault {
  type: Fault['type'];
  /** Epoch ms at which the probe injected it. */
  at: number;
  /** Connections it ended or armed per client code; absent when the broker did not say. */
  affectedByClientCode?: Record<string, number>;
}

export interface BrokerJudgementInput extends BrokerWindow {
  /** Distinct tokens the probe's clients subscribed: a correct deployment needs one connection per 1,000. */
  tokens: number;
  faults: InjectedFault[];
}

/** The broker-side checks, by name (docs/probe.md#verdicts). */
export const BROKER_CHECK = {
  churn: 'upstream connections opened within budget (1 per 1,000 tokens + 1 per fault that ended or stalled one)',
  overlap: 'upstream connections open at once within the pool the tokens need',
  refusals: 'no 429 the probe did not provoke, and no refusal retried faster than the back-off floor',
  zombie: 'no upstream connection opened while no client was connected (zombie)',
} as const;

export { BACKOFF_FLOOR_MS };

/** Faults that end a connection or stall it, each of which a correct deployment may answer with one reconnect. */
const ENDS_OR_STALLS: ReadonlySet<Fault['type']> = new Set(['drop-all', 'close-after', 'stall', 'outage']);

/** The mock names the fault that made it refuse a handshake (`reject-next fault`): the probe's own doing. */
const provoked = (event: Extract<BrokerEvent, { type: 'rejected' }>): boolean => /\bfault\b/.test(event.reason);

/** Stamps of the loopback broker and the probe are a few ms apart for one moment. */
const SLACK_MS = 50;

/**
 * Judges a probe run from the broker's record alone: upstream churn against the budget a correct
 * deployment needs, overlap (connections open before the window included), refusals the probe did not
 * provoke or that were retried without back-off, and zombies. The log only adds evidence to these.
 */
export function judgeBroker(input: BrokerJudgementInput): { evidence: BrokerEvidence; checks: ProbeCheck[] } {
  const evidence = summariseBroker(input);
  const codes = Object.keys(evidence.peak);
  const openBefore = Object.values(input.before.stats.current).some((n) => n > 0);
  if (codes.length === 0 && !openBefore) {
    const detail = 'the broker saw no connection during the probe — is --broker-admin the broker behind the target?';
    return { evidence, checks: [{ source: 'broker', name: 'broker saw the probe', status: 'unchecked', detail }] };
  }
  const pool = Math.max(1, Math.ceil(input.tokens / MAX_TOKENS_PER_CONNECTION));
  return {
    evidence,
    checks: [churnCheck(input, evidence, codes, pool), overlapCheck(evidence, codes, pool), refusalCheck(input, evidence), zombieCheck(evidence)],
  };
}

function churnCheck(input: BrokerJudgementInput, evidence: BrokerEvidence, codes: string[], pool: number): ProbeCheck {
  const gaps = clientGaps(input.clientSpans ?? [], input.to);
  const parts: string[] = [];
  const extras: string[] = [];
  let longestGap = 0;
  for (const code of codes) {
    const own = evidence.connections.filter((c) => c.clientCode === code);
    const opened = own.filter((c) => !c.openedBefore);
    const openAtStart = own.length - opened.length;
    const forFaults = input.faults.filter((f) => ENDS_OR_STALLS.has(f.type) && touched(f, code, own)).length;
    const budget = Math.max(0, pool - openAtStart) + forFaults;
    parts.push(`${code}: ${opened.length} opened, budget ${budget}`);
    if (opened.length <= budget) continue;
    for (const [i, c] of opened.entries()) {
      if (i === 0 && openAtStart === 0) continue;
      const gap = gapBefore(c, opened[i - 1], gaps);
      if (gap !== undefined) longestGap = Math.max(longestGap, gap);
      extras.push(`#${c.id} ${isoTime(c.openedAt)}${gap === undefined ? ' with clients connected' : ` after ${seconds(gap)} s with no client`}`);
    }
    parts[parts.length - 1] += ` (${Math.max(0, pool - openAtStart)} for ${input.tokens} distinct tokens + ${forFaults} for faults)`;
  }
  if (extras.length === 0) return { source: 'broker', name: BROKER_CHECK.churn, status: 'pass', detail: parts.join(', ') };
  const linger =
    longestGap > 0
      ? ` A deployment that releases its upstream when the last client leaves, or after a linger shorter than ${seconds(longestGap)} s (the probe's longest gap between clients), turns every such gap into a new connection: keep the upstream across gaps this short.`
      : '';
  return {
    source: 'broker',
    name: BROKER_CHECK.churn,
    status: 'fail',
    detail: `client churn turned into upstream churn: ${parts.join(', ')} — ${extras.join('; ')}.${linger}`,
  };
}

function overlapCheck(evidence: BrokerEvidence, codes: string[], pool: number): ProbeCheck {
  const over = codes.filter((code) => evidence.peak[code] > pool);
  const overlapping = evidence.overlaps
    .filter((o) => over.includes(o.clientCode))
    .map((o) => `${o.clientCode} at ${isoTime(o.at)}: ${o.connections.map(describeConnection).join('; ')}`);
  const peaks =
    (codes.map((code) => `${code}: ${evidence.peak[code]}`).join(', ') || 'no new connection') +
    (overlapping.length ? ` — overlapping: ${overlapping.join(' | ')}` : '') +
    (pool > 1 ? ` (pool of ${pool} allowed)` : '');
  return { source: 'broker', name: BROKER_CHECK.overlap, status: over.length ? 'fail' : 'pass', detail: peaks };
}

function refusalCheck(input: BrokerJudgementInput, evidence: BrokerEvidence): ProbeCheck {
  const handshakes = input.after.events
    .filter((e) => e.time >= input.from && e.time <= input.to && (e.endpoint ?? 'smart-stream') === 'smart-stream' && e.type !== 'closed')
    .sort((a, b) => a.time - b.time);
  const refusals = handshakes.filter((e): e is Extract<BrokerEvent, { type: 'rejected' }> => e.type === 'rejected');
  const ownByCode: Record<string, number> = {};
  const provokedByCode: Record<string, number> = {};
  const tooSoon: string[] = [];
  let soonest: number | undefined;
  for (const refusal of refusals) {
    if (provoked(refusal)) provokedByCode[refusal.clientCode] = (provokedByCode[refusal.clientCode] ?? 0) + 1;
    else if (refusal.status === 429) ownByCode[refusal.clientCode] = (ownByCode[refusal.clientCode] ?? 0) + 1;
    const next = handshakes.find((e) => e.time > refusal.time && e.clientCode === refusal.clientCode);
    if (!next) continue;
    const gap = next.time - refusal.time;
    soonest = Math.min(soonest ?? gap, gap);
    if (gap < BACKOFF_FLOOR_MS) tooSoon.push(`${refusal.clientCode} retried ${gap} ms after a refusal at ${isoTime(refusal.time)}`);
  }
  const unattributed = evidence.rejected429['(unattributed)'] ?? 0;
  if (unattributed) ownByCode['(unattributed)'] = unattributed;
  const own = Object.values(ownByCode).reduce((a, b) => a + b, 0);
  const table = (t: Record<string, number>) => Object.entries(t).map(([code, n]) => `${code}: ${n}`).join(', ');
  const failures = [
    ...(own ? [`${own} × 429 the probe did not provoke (${table(ownByCode)})`] : []),
    ...(tooSoon.length ? [`${tooSoon.slice(0, 3).join('; ')}${tooSoon.length > 3 ? ` and ${tooSoon.length - 3} more` : ''} (the back-off floor is ${BACKOFF_FLOOR_MS} ms)`] : []),
  ];
  if (failures.length) return { source: 'broker', name: BROKER_CHECK.refusals, status: 'fail', detail: failures.join('; ') };
  const detail =
    refusals.length === 0
      ? '0'
      : `${refusals.length} refusal(s), all provoked by the probe (${table(provokedByCode)}) and ${soonest === undefined ? 'not retried' : `retried after ${soonest} ms at the soonest`}`;
  return { source: 'broker', name: BROKER_CHECK.refusals, status: 'pass', detail };
}

function zombieCheck(evidence: BrokerEvidence): ProbeCheck {
  const zombies = evidence.connections.filter((c) => c.openedWithNoClient);
  return {
    source: 'broker',
    name: BROKER_CHECK.zombie,
    status: zombies.length ? 'fail' : 'pass',
    detail: zombies.length ? `${zombies.length} zombie(s): ${zombies.map(describeConnection).join('; ')}` : '0',
  };
}

/** Whether a fault ended or stalled one of `code`'s connections; a broker that did not say is asked its timeline. */
function touched(fault: InjectedFault, code: string, own: UpstreamConnection[]): boolean {
  if (fault.type !== 'stall' && fault.affectedByClientCode) return (fault.affectedByClientCode[code] ?? 0) > 0;
  return own.some((c) => c.openedAt <= fault.at && (c.closedAt === undefined || c.closedAt >= fault.at));
}

/** Stretches after the first client came in which the probe had no client connected. */
function clientGaps(spans: { from: number; to: number }[], end: number): { from: number; to: number }[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const gaps: { from: number; to: number }[] = [];
  let covered = sorted[0]?.to ?? end;
  for (const span of sorted.slice(1)) {
    if (span.from > covered) gaps.push({ from: covered, to: span.from });
    covered = Math.max(covered, span.to);
  }
  if (covered < end) gaps.push({ from: covered, to: end });
  return gaps;
}

/** The no-client gap that ended last before `c` opened and after the connection before it did: what `c` answers. */
function gapBefore(c: UpstreamConnection, previous: UpstreamConnection | undefined, gaps: { from: number; to: number }[]): number | undefined {
  const gap = gaps.filter((g) => g.from <= c.openedAt + SLACK_MS && g.from >= (previous?.openedAt ?? Number.NEGATIVE_INFINITY)).at(-1);
  return gap && Math.min(gap.to, c.openedAt) - gap.from;
}

const seconds = (ms: number): string => String(Number((ms / 1000).toFixed(2)));

function isoTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** `#7 A123 09:15:02.120–09:15:04.310 (drop-all fault)`: enough to find the connection in the broker's events. */
export function describeConnection(c: UpstreamConnection): string {
  const closed = c.closedAt === undefined ? 'still open' : `${isoTime(c.closedAt)}${c.closeReason ? ` (${c.closeReason})` : ''}`;
  const notes = [c.openedBefore ? 'open before the probe' : '', c.openedWithNoClient ? 'opened with no client connected' : ''].filter(Boolean);
  return `#${c.id} ${c.clientCode} ${isoTime(c.openedAt)}–${closed}${notes.length ? `, ${notes.join(', ')}` : ''}`;
}
