import { MAX_TIMER_MS, parseFault } from './faults.ts';
import type { ClientAction, FaultPlan, FaultTrigger, PlannedFault } from './types.ts';

export type { ClientAction, FaultPlan, FaultTrigger, PlannedFault } from './types.ts';

/**
 * The one schedule format of the mock broker's faults (docs/mock-broker.md#fault-plans): what
 * `mock-broker --faults FILE` and `POST /__admin/faults/plan` take, and what `probe --explore` writes
 * as a replay (its client actions ride along; the broker ignores them).
 */

/** The only plan version this parser reads (types.ts's FaultPlan says so too). */
export const FAULT_PLAN_VERSION = 1;

export type FaultPlanParse = { ok: true; plan: FaultPlan } | { ok: false; error: string };

const PLAN_FIELDS = ['version', 'seed', 'clientActions', 'faults'];
const ENTRY_FIELDS = ['atMs', 'after', 'fault'];
const MAX_SEED = 0xffffffff;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isTimerMs = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIMER_MS;

function unknownField(where: string, entry: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(entry).find((key) => !allowed.includes(key));
  return extra === undefined ? undefined : `${where}${JSON.stringify(extra)} is not a plan field; use ${allowed.join(', ')}`;
}

function parseTrigger(where: string, after: unknown): { ok: true; value: FaultTrigger } | { ok: false; error: string } {
  if (after === undefined || after === 'start') return { ok: true, value: 'start' };
  const usage = `${where}.after must be "start" or {"firstConnection": "<clientCode>"}`;
  if (!isRecord(after) || Object.keys(after).length !== 1) return { ok: false, error: usage };
  const { firstConnection } = after;
  if (typeof firstConnection !== 'string' || firstConnection === '') return { ok: false, error: usage };
  return { ok: true, value: { firstConnection } };
}

function parseEntry(where: string, entry: unknown): { ok: true; value: PlannedFault } | { ok: false; error: string } {
  if (!isRecord(entry)) return { ok: false, error: `${where} must be an object {"atMs", "after", "fault"}` };
  const extra = unknownField(`${where}.`, entry, ENTRY_FIELDS);
  if (extra) return { ok: false, error: extra };
  if (!isTimerMs(entry.atMs)) return { ok: false, error: `${where}.atMs must be an integer from 0 to ${MAX_TIMER_MS}` };
  const after = parseTrigger(where, entry.after);
  if (!after.ok) return after;
  const fault = parseFault(entry.fault);
  if (!fault.ok) return { ok: false, error: `${where}.fault: ${fault.error}` };
  return { ok: true, value: { atMs: entry.atMs, after: after.value, fault: fault.fault } };
}

function parseFaultList(faults: unknown[]): { ok: true; value: PlannedFault[] } | { ok: false; error: string } {
  const parsed: PlannedFault[] = [];
  for (const [index, entry] of faults.entries()) {
    const result = parseEntry(`faults[${index}]`, entry);
    if (!result.ok) return result;
    parsed.push(result.value);
  }
  return { ok: true, value: parsed };
}

/** Client actions are the driver's business: only their list shape and `atMs` are checked. */
function parseClientActions(actions: unknown): { ok: true; value: ClientAction[] } | { ok: false; error: string } {
  if (actions === undefined) return { ok: true, value: [] };
  if (!Array.isArray(actions)) return { ok: false, error: 'clientActions must be an array of {"atMs", …} objects' };
  for (const [index, action] of actions.entries()) {
    if (!isRecord(action) || !isTimerMs(action.atMs)) {
      return { ok: false, error: `clientActions[${index}].atMs must be an integer from 0 to ${MAX_TIMER_MS}` };
    }
  }
  return { ok: true, value: actions as ClientAction[] };
}

/**
 * Validates a fault plan: a `{"version": 1, …}` object, or its bare `faults` array. Each fault is
 * checked as the admin API checks it; the first error names the field to fix (`faults[2].atMs …`).
 */
export function parseFaultPlan(json: unknown): FaultPlanParse {
  if (Array.isArray(json)) {
    const faults = parseFaultList(json);
    return faults.ok ? { ok: true, plan: { version: FAULT_PLAN_VERSION, clientActions: [], faults: faults.value } } : faults;
  }
  if (!isRecord(json)) {
    return { ok: false, error: 'a fault plan is a JSON object {"version": 1, "faults": [...]} or a bare array of faults' };
  }
  const extra = unknownField('', json, PLAN_FIELDS);
  if (extra) return { ok: false, error: extra };
  if (json.version !== FAULT_PLAN_VERSION) {
    return { ok: false, error: `version must be ${FAULT_PLAN_VERSION}, got ${JSON.stringify(json.version)}` };
  }
  if (json.seed !== undefined && !(Number.isSafeInteger(json.seed) && (json.seed as number) >= 0 && (json.seed as number) <= MAX_SEED)) {
    return { ok: false, error: `seed must be an integer from 0 to ${MAX_SEED}` };
  }
  if (!Array.isArray(json.faults)) return { ok: false, error: 'faults must be an array of {"atMs", "after", "fault"} objects' };
  const actions = parseClientActions(json.clientActions);
  if (!actions.ok) return actions;
  const faults = parseFaultList(json.faults);
  if (!faults.ok) return faults;
  return {
    ok: true,
    plan: {
      version: FAULT_PLAN_VERSION,
      ...(json.seed === undefined ? {} : { seed: json.seed as number }),
      clientActions: actions.value,
      faults: faults.value,
    },
  };
}

/** Parses a plan file's text; a JSON syntax error is reported like any other. */
export function parseFaultPlanText(text: string): FaultPlanParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `a fault plan must be JSON: ${(err as Error).message}` };
  }
  return parseFaultPlan(json);
}
