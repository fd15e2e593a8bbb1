import type { Fault, PlannedFault } from '../../mock-broker/index.ts';
import { OpenAlgoMode, type OpenAlgoModeCode, type SymbolRef } from '../../protocol/openalgo/index.ts';
import type { ClientSet, ExploreClientAction, ExplorePlan } from './explore-plan.ts';
import type { Violation } from './sequence-judge.ts';

/** A fault and when it fired, in ms from the sequence's start. */
export interface TimedFault {
  atMs: number;
  fault: Fault;
}

const MODE_NAME: Record<OpenAlgoModeCode, string> = { [OpenAlgoMode.LTP]: 'LTP', [OpenAlgoMode.Quote]: 'Quote', [OpenAlgoMode.Depth]: 'Depth' };

const VIOLATION_WORDS: Record<Violation['kind'], string> = {
  churn: 'a new upstream connection (client churn turned into upstream churn)',
  zombie: 'zombie upstream',
  overlap: 'two upstream connections at once',
  refused: 'a handshake the broker refused, or one retried too soon',
};

/** Faults that end or silence the deployment's connection, after which it sleeps before dialling again. */
const RETRY_CAUSES: ReadonlySet<Fault['type']> = new Set(['drop-all', 'close-after', 'reject-next', 'stall']);

/** Seconds with at most two decimals: `0.4 s`, `1.25 s`, `12 s`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
}

function clientsWord(set: ClientSet): string {
  if (set === 'all') return 'all clients';
  const names = set.map((i) => `c${i}`);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** `c0 leaves`, `c0 and c1 leave`. */
function verb(set: ClientSet, base: string): string {
  return set !== 'all' && set.length === 1 ? `${base}s` : base;
}

function symbolsWord(symbols: SymbolRef[], mode: OpenAlgoModeCode): string {
  return `${symbols.map((s) => `${s.exchange}:${s.symbol}`).join(', ')} (${MODE_NAME[mode]})`;
}

/** What a fault does, in words. */
export function faultWords(fault: Fault): string {
  const whose = 'clientCode' in fault && typeof fault.clientCode === 'string' ? ` of ${fault.clientCode}` : '';
  switch (fault.type) {
    case 'drop-all':
      return fault.mode === 'close' ? `the broker closes every connection${whose} (close ${fault.code ?? 1001})` : `the broker cuts every connection${whose}`;
    case 'reject-next':
      return `the broker refuses the next ${fault.count === 1 ? 'handshake' : `${fault.count} handshakes`} with ${fault.status ?? 429}`;
    case 'stall':
      return `the broker stalls for ${seconds(fault.ms)} (no ticks, no pongs)`;
    case 'close-after':
      return `the broker ends each connection${whose} after ${fault.messages} more frame${fault.messages === 1 ? '' : 's'}`;
    case 'expire-token':
      return `the token of ${fault.clientCode} expires (its handshakes get 401)`;
    default:
      return `the broker injects ${(fault as { type: string }).type}`;
  }
}

/** What a client action does, in words (a join's three actions are put together by `planSteps`). */
export function actionWords(action: ExploreClientAction): string {
  switch (action.action) {
    case 'connect':
      return `c${action.client} connects`;
    case 'authenticate':
      return `c${action.client} authenticates`;
    case 'subscribe':
      return `c${action.client} subscribes ${symbolsWord(action.symbols, action.mode)}`;
    case 'unsubscribe':
      return `c${action.client} unsubscribes ${symbolsWord(action.symbols, action.mode)}`;
    case 'leave':
      return `${clientsWord(action.clients)} ${verb(action.clients, 'leave')}${action.abrupt ? ' abruptly' : ''}`;
    case 'return':
      return `${clientsWord(action.clients)} ${verb(action.clients, 'return')}`;
    case 'end':
      return `the sequence ends: every client still connected leaves, and the broker is watched for ${seconds(action.watchMs)}`;
  }
}

/** `, 0.12 s into the retry sleep after the broker cuts …` when the action falls inside one. */
function inRetrySleep(atMs: number, faults: TimedFault[], reconnectMs: number | undefined): string {
  if (reconnectMs === undefined) return '';
  const cause = faults.filter((f) => RETRY_CAUSES.has(f.fault.type) && f.atMs < atMs && atMs - f.atMs < reconnectMs).at(-1);
  return cause ? `, ${seconds(atMs - cause.atMs)} into the retry sleep after ${faultWords(cause.fault)}` : '';
}

/** Fault times of a plan when they do not depend on the run: those triggered at the start. */
export function plannedFaultTimes(faults: PlannedFault[]): TimedFault[] {
  return faults.filter((f) => f.after === 'start').map((f) => ({ atMs: f.atMs, fault: f.fault }));
}

/**
 * The plan as numbered lines, one per moment: `0.45 s: c0 connects, authenticates and subscribes …`.
 * Faults triggered by a first connection say so; `reconnectMs` (the deployment's reconnect delay, when
 * known) lets a step say that it falls inside a retry sleep.
 */
export function planSteps(plan: ExplorePlan, reconnectMs?: number): string[] {
  const lines: { atMs: number; text: string }[] = [];
  const timed = plannedFaultTimes(plan.faults);
  const actions = plan.clientActions;
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i];
    const next = actions[i + 1];
    const after = actions[i + 2];
    const isJoin =
      action.action === 'connect' &&
      next?.action === 'authenticate' &&
      after?.action === 'subscribe' &&
      next.client === action.client &&
      after.client === action.client &&
      next.atMs === action.atMs &&
      after.atMs === action.atMs;
    if (isJoin) {
      lines.push({ atMs: action.atMs, text: `c${action.client} connects, authenticates and subscribes ${symbolsWord(after.symbols, after.mode)}` });
      i += 2;
      continue;
    }
    if (action.action === 'authenticate' && next?.action === 'subscribe' && next.client === action.client && next.atMs === action.atMs) {
      lines.push({ atMs: action.atMs, text: `c${action.client} authenticates and subscribes ${symbolsWord(next.symbols, next.mode)}` });
      i += 1;
      continue;
    }
    const sleep = action.action === 'leave' || action.action === 'return' ? inRetrySleep(action.atMs, timed, reconnectMs) : '';
    lines.push({ atMs: action.atMs, text: `${actionWords(action)}${sleep}` });
  }
  for (const f of plan.faults) {
    if (f.after === 'start') lines.push({ atMs: f.atMs, text: faultWords(f.fault) });
    else lines.push({ atMs: -1, text: `${seconds(f.atMs)} after the first connection of ${f.after.firstConnection}: ${faultWords(f.fault)}` });
  }
  lines.sort((a, b) => a.atMs - b.atMs);
  return lines.map((l) => (l.atMs < 0 ? l.text : `${seconds(l.atMs)}: ${l.text}`));
}

/**
 * The failure in one line: the last client action before the first violation, where it fell, and what
 * followed, e.g. `all clients leave abruptly, 0.4 s into the retry sleep after the broker cuts every
 * connection of DEMO1 → zombie upstream 2 s later`. `violationMs` and the fault times count from the
 * sequence's start.
 */
export function failureWords(plan: ExplorePlan, violation: { kind: Violation['kind']; atMs: number }, faults: TimedFault[], reconnectMs?: number): string {
  const cause = plan.clientActions.filter((a) => a.atMs <= violation.atMs && a.action !== 'authenticate').at(-1);
  const fault = faults.filter((f) => f.atMs <= violation.atMs).at(-1);
  const what = VIOLATION_WORDS[violation.kind];
  if (!cause && !fault) return `${what} ${seconds(violation.atMs)} after the start`;
  const byFault = fault !== undefined && (!cause || fault.atMs >= cause.atMs);
  const from = byFault ? fault.atMs : cause!.atMs;
  const alongside = (kind: 'connect' | 'authenticate') =>
    cause?.action === 'subscribe' && plan.clientActions.some((a) => a.action === kind && a.client === cause.client && a.atMs === cause.atMs);
  const verbs = alongside('connect') ? 'connects, authenticates and subscribes' : alongside('authenticate') ? 'authenticates and subscribes' : undefined;
  const acted =
    cause?.action === 'end'
      ? 'all clients leave as the sequence ends'
      : verbs && cause?.action === 'subscribe'
        ? `c${cause.client} ${verbs} ${symbolsWord(cause.symbols, cause.mode)}`
        : cause && actionWords(cause);
  const words = byFault ? faultWords(fault.fault) : `${acted}${inRetrySleep(cause!.atMs, faults, reconnectMs)}`;
  return `${words} → ${what} ${seconds(violation.atMs - from)} later`;
}
