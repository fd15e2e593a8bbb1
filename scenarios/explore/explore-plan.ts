import type { FAULT_PLAN_VERSION, PlannedFault } from '../../mock-broker/index.ts';
import type { OpenAlgoModeCode, SymbolRef } from '../../protocol/openalgo/index.ts';

/** Which clients a group action takes: every client the plan names, or some of them by index. */
export type ClientSet = 'all' | number[];

/**
 * What the explorer's clients do, in the `clientActions` of a fault plan (docs/probe.md#replay-files).
 * Clients are numbered from 0 and named c0, c1, … in words. An action that does not apply to a client's
 * state (authenticating a client that is not connected) does nothing, so any sequence can run and shrink.
 */
export type ExploreClientAction =
  /** Opens the WebSocket; no authenticate yet. */
  | { atMs: number; action: 'connect'; client: number }
  | { atMs: number; action: 'authenticate'; client: number }
  | { atMs: number; action: 'subscribe'; client: number; symbols: SymbolRef[]; mode: OpenAlgoModeCode }
  | { atMs: number; action: 'unsubscribe'; client: number; symbols: SymbolRef[]; mode: OpenAlgoModeCode }
  /** The clients close their connections: a close frame, or the TCP connection cut when `abrupt`. */
  | { atMs: number; action: 'leave'; clients: ClientSet; abrupt: boolean }
  /** The clients that left connect, authenticate and subscribe to what they held again. */
  | { atMs: number; action: 'return'; clients: ClientSet }
  /**
   * The sequence ends: every client still connected leaves cleanly, and the broker's record is watched
   * `watchMs` longer (and until it has been quiet) before it is judged.
   */
  | { atMs: number; action: 'end'; watchMs: number };

export type ExploreActionKind = ExploreClientAction['action'];

/** A replay file: a fault plan of the mock broker whose client actions are the explorer's. */
export interface ExplorePlan {
  version: typeof FAULT_PLAN_VERSION;
  /** The `--seed` that generated it (absent in a plan written by hand). */
  seed?: number;
  clientActions: ExploreClientAction[];
  faults: PlannedFault[];
}

/** The client indexes a plan names, in order. */
export function clientsOf(plan: Pick<ExplorePlan, 'clientActions'>): number[] {
  const seen = new Set<number>();
  for (const action of plan.clientActions) {
    if ('client' in action) seen.add(action.client);
    if ('clients' in action && action.clients !== 'all') for (const client of action.clients) seen.add(client);
  }
  return [...seen].sort((a, b) => a - b);
}

/** When the sequence ends (its `end` action), or its last action when it has none. */
export function endOf(plan: Pick<ExplorePlan, 'clientActions'>): { atMs: number; watchMs: number } {
  const end = plan.clientActions.find((a) => a.action === 'end');
  if (end?.action === 'end') return { atMs: end.atMs, watchMs: end.watchMs };
  return { atMs: Math.max(0, ...plan.clientActions.map((a) => a.atMs)), watchMs: 0 };
}
