import { readFile, writeFile } from 'node:fs/promises';
import { parseFaultPlanText } from '../../mock-broker/index.ts';
import { OpenAlgoMode, type SymbolRef } from '../../protocol/openalgo/index.ts';
import type { ExploreClientAction, ExploreActionKind, ExplorePlan } from './explore-plan.ts';

/** The replay file `--save` writes when `--seed` is N and no name is given. */
export const defaultReplayFile = (seed: number): string => `probe-replay-${seed}.json`;

/** Clients a plan may name: c0 … c199, as many as the plain probe drives. */
const MAX_CLIENT = 199;
const MODES: readonly number[] = Object.values(OpenAlgoMode);

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const FIELDS: Record<ExploreActionKind, readonly string[]> = {
  connect: ['client'],
  authenticate: ['client'],
  subscribe: ['client', 'symbols', 'mode'],
  unsubscribe: ['client', 'symbols', 'mode'],
  leave: ['clients', 'abrupt'],
  return: ['clients'],
  end: ['watchMs'],
};

const isClient = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_CLIENT;
const isSymbol = (v: unknown): v is SymbolRef =>
  typeof v === 'object' && v !== null && typeof (v as SymbolRef).symbol === 'string' && typeof (v as SymbolRef).exchange === 'string';

function fieldError(where: string, field: string, value: unknown): string | undefined {
  switch (field) {
    case 'client':
      return isClient(value) ? undefined : `${where}.client must be a client number from 0 to ${MAX_CLIENT}`;
    case 'clients':
      return value === 'all' || (Array.isArray(value) && value.length > 0 && value.every(isClient))
        ? undefined
        : `${where}.clients must be "all" or a non-empty array of client numbers`;
    case 'symbols':
      return Array.isArray(value) && value.length > 0 && value.every(isSymbol) ? undefined : `${where}.symbols must be a non-empty array of {"symbol", "exchange"}`;
    case 'mode':
      return MODES.includes(value as number) ? undefined : `${where}.mode must be 1 (LTP), 2 (Quote) or 3 (Depth)`;
    case 'abrupt':
      return typeof value === 'boolean' ? undefined : `${where}.abrupt must be true or false`;
    default:
      return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `${where}.${field} must be a whole number of milliseconds`;
  }
}

/** Checks the explorer's client actions (the broker has checked each `atMs` already). */
export function parseClientActions(actions: unknown[]): Checked<ExploreClientAction[]> {
  for (const [index, raw] of actions.entries()) {
    const where = `clientActions[${index}]`;
    const action = raw as Record<string, unknown>;
    const kind = action.action as ExploreActionKind;
    if (!Object.hasOwn(FIELDS, kind)) {
      return { ok: false, error: `${where}.action must be one of ${Object.keys(FIELDS).join(', ')}, got ${JSON.stringify(action.action)}` };
    }
    const extra = Object.keys(action).find((key) => key !== 'atMs' && key !== 'action' && !FIELDS[kind].includes(key));
    if (extra !== undefined) return { ok: false, error: `${where} (${kind}) takes no field ${JSON.stringify(extra)}; its fields: ${FIELDS[kind].join(', ')}` };
    for (const field of FIELDS[kind]) {
      const error = fieldError(where, field, action[field]);
      if (error) return { ok: false, error };
    }
  }
  return { ok: true, value: actions as ExploreClientAction[] };
}

/** Reads a replay file: a fault plan whose client actions are the explorer's. Errors name the file and the field. */
export async function readReplayFile(path: string): Promise<Checked<ExplorePlan>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read the replay file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  const parsed = parseFaultPlanText(text);
  if (!parsed.ok) return { ok: false, error: `${path}: ${parsed.error}` };
  const actions = parseClientActions(parsed.plan.clientActions);
  if (!actions.ok) return { ok: false, error: `${path}: ${actions.error}` };
  if (actions.value.length === 0) return { ok: false, error: `${path}: clientActions is empty; a replay needs the clients' actions` };
  const { seed, faults, version } = parsed.plan;
  return { ok: true, value: { version, ...(seed === undefined ? {} : { seed }), clientActions: actions.value, faults } };
}

/** Writes a plan as indented JSON, so a person can read and edit it. */
export async function writeReplayFile(path: string, plan: ExplorePlan): Promise<void> {
  await writeFile(path, `${JSON.stringify(plan, null, 2)}\n`);
}
