import type { PlanPhase } from '../traffic/plan-phases.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import type { PlanRun } from './plan-runner.ts';
import { isStreamEvent } from './broker-watch.ts';

/** A leave or a fault would not show on a chart of a whole run any narrower than this. */
const MARK_MS = 200;

/**
 * The HTML page's record of one sequence: the broker's timeline inside it, each leave shaded as churn
 * and each fault that fired as a drop.
 */
export function runRecordOf(name: string, run: PlanRun, plan: { clientActions: { atMs: number; action: string }[] }): RunRecord {
  const phases: PlanPhase[] = [
    ...plan.clientActions.filter((a) => a.action === 'leave').map((a): PlanPhase => ({ kind: 'churn', fromMs: a.atMs, toMs: a.atMs + MARK_MS })),
    ...run.faults.flatMap((f): PlanPhase[] => (f.firedAt === undefined ? [] : [{ kind: 'drop', fromMs: f.firedAt - run.from, toMs: f.firedAt - run.from + MARK_MS }])),
  ].sort((a, b) => a.fromMs - b.fromMs);
  return {
    name,
    from: run.from,
    to: run.to,
    brokerEvents: run.after.events.filter((e) => e.time >= run.from && e.time <= run.to && isStreamEvent(e)),
    phases,
  };
}
