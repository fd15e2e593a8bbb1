import fc from 'fast-check';
import { FAULT_PLAN_VERSION, type Fault, type PlannedFault } from '../../mock-broker/index.ts';
import { OpenAlgoMode, type OpenAlgoModeCode, type SymbolRef } from '../../protocol/openalgo/index.ts';
import type { ClientSet, ExploreClientAction, ExplorePlan } from './explore-plan.ts';
import type { DeploymentTiming } from './deployment-timing.ts';

/** What the generator may use; `timing` sets every delay's scale. */
export interface PlanSpace {
  seed: number;
  timing: DeploymentTiming;
  /** Symbols the clients subscribe to (a few, so sequences overlap on them). */
  symbols: SymbolRef[];
  /** Clients c0 … c(n-1). */
  clients: number;
  /** Steps per sequence at most. */
  maxSteps: number;
}

/**
 * One generated step: a delay in tenths of the deployment's reconnect delay, then a move. `join` is
 * connect, authenticate and subscribe at one instant, as an app's service starts; it keeps the common
 * start-up to one step that shrinking removes or keeps whole.
 */
export type Step = { tenths: number; move: Move };

export type Move =
  | { kind: 'join'; client: number; symbols: SymbolRef[]; mode: OpenAlgoModeCode }
  /** Authenticate and subscribe on a connection already open: the start's clients do it together. */
  | { kind: 'sign-in'; client: number; symbols: SymbolRef[]; mode: OpenAlgoModeCode }
  | { kind: 'connect' | 'authenticate'; client: number }
  | { kind: 'subscribe' | 'unsubscribe'; client: number; symbols: SymbolRef[]; mode: OpenAlgoModeCode }
  | { kind: 'leave'; clients: ClientSet; abrupt: boolean }
  | { kind: 'return'; clients: ClientSet }
  | { kind: 'fault'; firstConnection: boolean; fault: Fault };

/** Steps are at most two reconnect delays apart: the mechanisms live inside one retry or teardown. */
const MAX_TENTHS = 20;

/**
 * The tail after the last step, in reconnect delays: long enough for a sleeping retry to dial and for a
 * new upstream to overlap an old one.
 */
const TAIL_DELAYS = 0.5;
const WATCH_DELAYS = 1.5;
const MIN_WATCH_MS = 500;

function movesOf(space: PlanSpace): fc.Arbitrary<Move> {
  const client = fc.integer({ min: 0, max: space.clients - 1 });
  const symbols = fc.subarray(space.symbols, { minLength: 1, maxLength: Math.min(3, space.symbols.length) });
  const mode = fc.constantFrom<OpenAlgoModeCode>(OpenAlgoMode.LTP, OpenAlgoMode.Quote, OpenAlgoMode.Depth);
  const clients: fc.Arbitrary<ClientSet> = fc.oneof(
    { weight: 3, arbitrary: fc.constant('all' as const) },
    { weight: 1, arbitrary: fc.uniqueArray(client, { minLength: 1, maxLength: space.clients }).map((c) => c.sort((a, b) => a - b)) },
  );
  const { clientCode } = space.timing;
  const unit = space.timing.reconnectMs;
  const dropMode = fc.constantFrom('abort' as const, 'close' as const);
  const fault: fc.Arbitrary<Fault> = fc.oneof(
    { weight: 4, arbitrary: dropMode.map((m): Fault => ({ type: 'drop-all', mode: m, clientCode })) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((count): Fault => ({ type: 'reject-next', count })) },
    // Up to five delays: long enough for a deployment's dead-upstream watchdog to give up on the socket.
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 50 }).map((t): Fault => ({ type: 'stall', ms: Math.max(1, Math.round((t * unit) / 10)) })) },
    {
      weight: 1,
      arbitrary: fc.record({ messages: fc.integer({ min: 1, max: 20 }), mode: dropMode }).map((f): Fault => ({ type: 'close-after', ...f, clientCode })),
    },
    { weight: 1, arbitrary: fc.constant<Fault>({ type: 'expire-token', clientCode }) },
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), client, symbols, mode }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('connect' as const, 'authenticate' as const), client }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('subscribe' as const, 'unsubscribe' as const), client, symbols, mode }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('leave' as const), clients, abrupt: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('return' as const), clients }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('fault' as const), firstConnection: fc.boolean(), fault }) },
  );
}

/**
 * Sequences of steps. They open as an app starts (shrinking keeps at least one client): one to all
 * clients connect, then a tenth of a reconnect delay later they authenticate and subscribe in the same
 * instant, so their authenticates race one connect; then up to `maxSteps` more.
 */
export function stepsArbitrary(space: PlanSpace): fc.Arbitrary<Step[]> {
  const symbols = fc.subarray(space.symbols, { minLength: 1, maxLength: Math.min(3, space.symbols.length) });
  const mode = fc.constantFrom<OpenAlgoModeCode>(OpenAlgoMode.LTP, OpenAlgoMode.Quote, OpenAlgoMode.Depth);
  const signIn = (client: number) => fc.record({ kind: fc.constant('sign-in' as const), client: fc.constant(client), symbols, mode });
  const start = fc.integer({ min: 1, max: space.clients }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, client) => signIn(client))).map((signIns): Step[] => [
      ...signIns.map((s): Step => ({ tenths: 0, move: { kind: 'connect', client: s.client } })),
      ...signIns.map((move, i): Step => ({ tenths: i === 0 ? 1 : 0, move })),
    ]),
  );
  const step = fc.record({ tenths: fc.integer({ min: 0, max: MAX_TENTHS }), move: movesOf(space) });
  return fc.tuple(start, fc.array(step, { minLength: 1, maxLength: space.maxSteps })).map(([opening, steps]) => [...opening, ...steps]);
}

/**
 * Lays steps out on a timeline in milliseconds. A fault triggered by the first connection counts its own
 * delay from that connection; every other step counts from the one before. The sequence ends after its
 * last step or its last stall, whichever is later (a stall triggered by the first connection counted
 * from the start, the earliest that connection can come): a deployment's dead-upstream watchdog gives
 * up during a long stall, and its reconnect must fall inside the sequence.
 */
export function planOf(steps: Step[], seed: number, timing: DeploymentTiming): ExplorePlan {
  const tenth = timing.reconnectMs / 10;
  const clientActions: ExploreClientAction[] = [];
  const faults: PlannedFault[] = [];
  let atMs = 0;
  let stallsEnd = 0;
  for (const [index, { tenths, move }] of steps.entries()) {
    const gap = Math.round(tenths * tenth);
    if (move.kind === 'fault' && move.fault.type === 'stall') stallsEnd = Math.max(stallsEnd, (move.firstConnection ? gap : atMs + gap) + move.fault.ms);
    if (move.kind === 'fault' && move.firstConnection) {
      faults.push({ atMs: gap, after: { firstConnection: timing.clientCode }, fault: move.fault });
      continue;
    }
    if (index > 0) atMs += gap;
    if (move.kind === 'fault') faults.push({ atMs, after: 'start', fault: move.fault });
    else clientActions.push(...actionsOf(move, atMs));
  }
  const end = Math.max(atMs, stallsEnd) + Math.round(TAIL_DELAYS * timing.reconnectMs);
  clientActions.push({ atMs: end, action: 'end', watchMs: Math.max(MIN_WATCH_MS, Math.round(WATCH_DELAYS * timing.reconnectMs)) });
  return { version: FAULT_PLAN_VERSION, seed, clientActions, faults };
}

function actionsOf(move: Exclude<Move, { kind: 'fault' }>, atMs: number): ExploreClientAction[] {
  switch (move.kind) {
    case 'join':
      return [
        { atMs, action: 'connect', client: move.client },
        { atMs, action: 'authenticate', client: move.client },
        { atMs, action: 'subscribe', client: move.client, symbols: move.symbols, mode: move.mode },
      ];
    case 'sign-in':
      return [
        { atMs, action: 'authenticate', client: move.client },
        { atMs, action: 'subscribe', client: move.client, symbols: move.symbols, mode: move.mode },
      ];
    case 'connect':
    case 'authenticate':
      return [{ atMs, action: move.kind, client: move.client }];
    case 'subscribe':
    case 'unsubscribe':
      return [{ atMs, action: move.kind, client: move.client, symbols: move.symbols, mode: move.mode }];
    case 'leave':
      return [{ atMs, action: 'leave', clients: move.clients, abrupt: move.abrupt }];
    case 'return':
      return [{ atMs, action: 'return', clients: move.clients }];
  }
}

/** The first contact's delays stand in for a reconnect delay the explorer has not measured yet. */
const FIRST_CONTACT_TIMING: DeploymentTiming = { clientCode: '', dialMs: 0, reconnectMs: 1000 };

/**
 * The explorer's first sequence, before it learns the timing: every client connects, then all
 * authenticate and subscribe in the same instant. A deployment whose adapter outlives its clients
 * creates one only at first contact, so a creation without single-flight can show only here.
 */
export function firstContactPlan(seed: number, symbols: SymbolRef[], clients: number): ExplorePlan {
  const ids = Array.from({ length: clients }, (_, client) => client);
  const steps: Step[] = [
    ...ids.map((client): Step => ({ tenths: 0, move: { kind: 'connect', client } })),
    ...ids.map((client): Step => ({
      tenths: client === 0 ? 1 : 0,
      move: { kind: 'sign-in', client, symbols: [symbols[client % symbols.length]], mode: OpenAlgoMode.LTP },
    })),
  ];
  return planOf(steps, seed, FIRST_CONTACT_TIMING);
}

/** Plans whose shrinking is fast-check's shrinking of their steps. */
export function planArbitrary(space: PlanSpace): fc.Arbitrary<ExplorePlan> {
  return stepsArbitrary(space).map((steps) => planOf(steps, space.seed, space.timing));
}
