import type { BrokerEvidence } from '../evidence/broker-evidence.ts';
import { BACKOFF_FLOOR_MS, BROKER_CHECK, judgeBroker, type InjectedFault } from '../probe/broker-verdict.ts';
import type { ProbeCheck } from '../probe/probe-check.ts';
import type { ExplorePlan } from './explore-plan.ts';
import type { PlanRun } from './plan-runner.ts';

/** What the deployment did wrong in one sequence: a failed check of the probe's broker verdict. */
export interface Violation {
  kind: 'churn' | 'overlap' | 'refused' | 'zombie';
  /** Epoch ms of the broker event that shows it first. */
  at: number;
  detail: string;
}

export interface SequenceVerdict {
  failed: boolean;
  violations: Violation[];
  checks: ProbeCheck[];
  evidence: BrokerEvidence;
}

const KIND_OF_CHECK: Record<string, Violation['kind']> = {
  [BROKER_CHECK.churn]: 'churn',
  [BROKER_CHECK.overlap]: 'overlap',
  [BROKER_CHECK.refusals]: 'refused',
  [BROKER_CHECK.zombie]: 'zombie',
};

/** Distinct (exchange, symbol) pairs a plan subscribes: the pool a correct deployment needs is one per 1,000. */
export function distinctTokens(plan: ExplorePlan): number {
  const seen = new Set<string>();
  for (const a of plan.clientActions) if (a.action === 'subscribe') for (const s of a.symbols) seen.add(`${s.exchange}:${s.symbol}`);
  return seen.size;
}

/** The faults that fired in a run, as the probe's verdict counts them. */
export function injectedFaults(run: PlanRun): InjectedFault[] {
  return run.faults.flatMap((shot) =>
    shot.firedAt === undefined ? [] : [{ type: shot.planned.fault.type, at: shot.firedAt, ...(shot.affected ? { affectedByClientCode: shot.affected } : {}) }],
  );
}

/** When a failed check's evidence begins, from the broker's record: what "→ … later" in words counts to. */
function firstMoment(kind: Violation['kind'], check: ProbeCheck, evidence: BrokerEvidence, run: PlanRun): number {
  const opened = evidence.connections.filter((c) => !c.openedBefore);
  switch (kind) {
    case 'zombie':
      return opened.find((c) => c.openedWithNoClient)?.openedAt ?? run.from;
    case 'overlap':
      return evidence.overlaps[0]?.at ?? run.from;
    case 'churn': {
      // The verdict names the connections beyond its budget (`#12 09:15:02.120 …`); the first is the churn.
      const id = Number(/ — #(\d+)/.exec(check.detail)?.[1]);
      return opened.find((c) => c.id === id)?.openedAt ?? opened.at(-1)?.openedAt ?? run.from;
    }
    case 'refused': {
      // A 429 the explorer did not provoke, or the handshake that came back sooner than the back-off floor.
      const handshakes = run.after.events.filter((e) => e.type !== 'closed' && e.time >= run.from && e.time <= run.to);
      for (const [i, e] of handshakes.entries()) {
        if (e.type !== 'rejected') continue;
        if (e.status === 429 && !/\bfault\b/.test(e.reason)) return e.time;
        const next = handshakes.slice(i + 1).find((n) => n.clientCode === e.clientCode);
        if (next && next.time - e.time < BACKOFF_FLOOR_MS) return next.time;
      }
      return run.from;
    }
  }
}

/**
 * Judges one sequence with the probe's verdict from the broker's record (scenarios/probe/broker-verdict.ts):
 * upstream churn beyond the budget its tokens and faults allow, overlap, refusals the explorer did not
 * provoke or that came back faster than the back-off floor, and zombies.
 */
export function judgeSequence(run: PlanRun, plan: ExplorePlan): SequenceVerdict {
  const { evidence, checks } = judgeBroker({
    before: run.before,
    after: run.after,
    from: run.from,
    to: run.to,
    clientSpans: run.clients.flatMap((c) => c.spans),
    tokens: distinctTokens(plan),
    faults: injectedFaults(run),
  });
  const violations = checks
    .filter((c) => c.status === 'fail' && KIND_OF_CHECK[c.name] !== undefined)
    .map((c): Violation => {
      const kind = KIND_OF_CHECK[c.name];
      return { kind, at: firstMoment(kind, c, evidence, run), detail: c.detail };
    })
    .sort((a, b) => a.at - b.at);
  return { failed: violations.length > 0, violations, checks, evidence };
}
