import type { TrafficPlan } from './traffic-plan.ts';

/** A stretch of a run the traffic plan disrupts on purpose, in ms from the run's start. */
export interface PlanPhase {
  kind: 'burst' | 'hold' | 'churn' | 'drop';
  fromMs: number;
  toMs: number;
}

/** Disconnects closer together than this belong to one churn wave. */
const WAVE_GAP_MS = 1_000;
/** How long a broker drop is shaded: the drop and the reconnects it causes (about a second of backoff). */
const DROP_SHADE_MS = 1_500;
/** Clients that give up on a silent feed leave this soon after a drop; those leaves are the drop's, not churn. */
const DROP_LEAVE_MS = 300;
/** A phase narrower than this would not show on a chart of a whole run. */
const MIN_PHASE_MS = 200;

/**
 * The plan's phases, for shading the charts: the start-up burst (every client's first connect), another
 * application holding every broker slot, each
 * churn wave (clients leaving and coming back), and each broker drop.
 */
export function planPhases(plan: TrafficPlan): PlanPhase[] {
  const firstConnects = plan.clients.map((c) => c.steps.find((s) => s.kind === 'connect')?.at ?? 0);
  const phases: PlanPhase[] = [];
  if (firstConnects.length > 0) phases.push({ kind: 'burst', fromMs: 0, toMs: Math.max(MIN_PHASE_MS, ...firstConnects) });
  if (plan.slotsHeldUntil !== undefined) phases.push({ kind: 'hold', fromMs: 0, toMs: plan.slotsHeldUntil });
  for (const at of plan.brokerDrops) phases.push({ kind: 'drop', fromMs: at, toMs: at + DROP_SHADE_MS });
  const byDrop = (at: number) => plan.brokerDrops.some((d) => at >= d && at <= d + DROP_LEAVE_MS);
  const leaves = plan.clients
    .flatMap((c) => c.steps.filter((s) => s.kind === 'disconnect' && !byDrop(s.at)).map((s) => s.at))
    .sort((a, b) => a - b);
  let wave: PlanPhase | undefined;
  for (const at of leaves) {
    if (wave && at - wave.toMs <= WAVE_GAP_MS) wave.toMs = Math.max(at, wave.fromMs + MIN_PHASE_MS);
    else phases.push((wave = { kind: 'churn', fromMs: at, toMs: at + MIN_PHASE_MS }));
  }
  return phases.sort((a, b) => a.fromMs - b.fromMs);
}
