import type { Fault } from '../../mock-broker/index.ts';
import { clientsOf, type ExploreClientAction, type ExplorePlan } from './explore-plan.ts';
import type { TimedFault } from './plan-wording.ts';

/** The mechanisms of the bug a sequence can exercise (docs/probe.md#what-the-explorer-covers). */
export const MECHANISMS = [
  'client set empties during a retry sleep',
  'leave and return inside the teardown',
  'broker drop while clients churn',
  'concurrent authenticates',
  'refused handshakes',
  'broker stall',
  'token expiry',
  'close after some frames',
  'subscription changes',
] as const;
export type Mechanism = (typeof MECHANISMS)[number];

const ENDS_CONNECTION: ReadonlySet<Fault['type']> = new Set(['drop-all', 'close-after', 'reject-next', 'stall']);
const DROPS: ReadonlySet<Fault['type']> = new Set(['drop-all', 'close-after']);

const FAULT_MECHANISM: Partial<Record<Fault['type'], Mechanism>> = {
  'reject-next': 'refused handshakes',
  stall: 'broker stall',
  'expire-token': 'token expiry',
  'close-after': 'close after some frames',
};

function leavesEveryone(action: ExploreClientAction, everyone: number[]): boolean {
  return action.action === 'leave' && (action.clients === 'all' || everyone.every((c) => (action.clients as number[]).includes(c)));
}

/**
 * Which mechanisms one run of a plan exercised, from its actions and the faults that fired (times in ms
 * from the sequence's start); `reconnectMs` is how long the deployment waits before dialling again.
 */
export function mechanismsOf(plan: ExplorePlan, fired: TimedFault[], reconnectMs: number): Mechanism[] {
  const found = new Set<Mechanism>();
  const everyone = clientsOf(plan);
  const within = (from: number, at: number) => at >= from && at - from < reconnectMs;
  const actions = plan.clientActions;
  for (const f of fired) {
    const mechanism = FAULT_MECHANISM[f.fault.type];
    if (mechanism) found.add(mechanism);
    if (ENDS_CONNECTION.has(f.fault.type) && actions.some((a) => leavesEveryone(a, everyone) && within(f.atMs, a.atMs))) {
      found.add('client set empties during a retry sleep');
    }
    if (DROPS.has(f.fault.type) && actions.some((a) => (a.action === 'leave' || a.action === 'return') && Math.abs(a.atMs - f.atMs) < reconnectMs)) {
      found.add('broker drop while clients churn');
    }
  }
  for (const leave of actions.filter((a) => leavesEveryone(a, everyone))) {
    if (actions.some((a) => a.action === 'return' && within(leave.atMs, a.atMs))) found.add('leave and return inside the teardown');
  }
  const authenticatesAt = new Map<number, number>();
  for (const a of actions) {
    if (a.action === 'authenticate') authenticatesAt.set(a.atMs, (authenticatesAt.get(a.atMs) ?? 0) + 1);
    if (a.action === 'return') authenticatesAt.set(a.atMs, (authenticatesAt.get(a.atMs) ?? 0) + (a.clients === 'all' ? everyone.length : a.clients.length));
  }
  if ([...authenticatesAt.values()].some((n) => n > 1)) found.add('concurrent authenticates');
  if (actions.some((a) => a.action === 'unsubscribe') || actions.filter((a) => a.action === 'subscribe').length > everyone.length) found.add('subscription changes');
  return MECHANISMS.filter((m) => found.has(m));
}
