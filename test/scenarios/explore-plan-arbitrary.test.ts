import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../mock-broker/index.ts';
import { firstContactPlan, planArbitrary, planOf, type Step } from '../../scenarios/explore/plan-arbitrary.ts';
import { parseClientActions } from '../../scenarios/explore/replay-file.ts';
import type { DeploymentTiming } from '../../scenarios/explore/deployment-timing.ts';

const timing: DeploymentTiming = { clientCode: 'DEMO1', dialMs: 10, reconnectMs: 300 };
const RELIANCE = { symbol: 'RELIANCE', exchange: 'NSE' };
const NIFTY = { symbol: 'NIFTY', exchange: 'NSE_INDEX' };
const space = { seed: 7, timing, symbols: [NIFTY, RELIANCE], clients: 3, maxSteps: 8 };

describe('the explorer turns generated steps into a plan', () => {
  it('a join is connect, authenticate and subscribe at one instant; gaps are tenths of the reconnect delay; the end watches 1.5 delays (at least 0.5 s)', () => {
    const steps: Step[] = [
      { tenths: 0, move: { kind: 'join', client: 0, symbols: [RELIANCE], mode: 1 } },
      { tenths: 5, move: { kind: 'fault', firstConnection: false, fault: { type: 'drop-all', mode: 'abort', clientCode: 'DEMO1' } } },
      { tenths: 4, move: { kind: 'leave', clients: 'all', abrupt: true } },
      { tenths: 12, move: { kind: 'fault', firstConnection: true, fault: { type: 'reject-next', count: 2 } } },
      { tenths: 10, move: { kind: 'return', clients: [0] } },
    ];

    const plan = planOf(steps, 7, timing);

    expect(plan).toEqual({
      version: 1,
      seed: 7,
      clientActions: [
        { atMs: 0, action: 'connect', client: 0 },
        { atMs: 0, action: 'authenticate', client: 0 },
        { atMs: 0, action: 'subscribe', client: 0, symbols: [RELIANCE], mode: 1 },
        { atMs: 270, action: 'leave', clients: 'all', abrupt: true },
        { atMs: 570, action: 'return', clients: [0] },
        { atMs: 720, action: 'end', watchMs: 500 },
      ],
      faults: [
        { atMs: 150, after: 'start', fault: { type: 'drop-all', mode: 'abort', clientCode: 'DEMO1' } },
        // Its own delay counts from the first connection, not from the step before.
        { atMs: 360, after: { firstConnection: 'DEMO1' }, fault: { type: 'reject-next', count: 2 } },
      ],
    });
  });

  it('a sequence lasts until its stall is over, so a watchdog that gives up during the stall reconnects inside the sequence', () => {
    const steps: Step[] = [
      { tenths: 0, move: { kind: 'join', client: 0, symbols: [RELIANCE], mode: 1 } },
      { tenths: 2, move: { kind: 'fault', firstConnection: false, fault: { type: 'stall', ms: 2000 } } },
      { tenths: 1, move: { kind: 'subscribe', client: 0, symbols: [NIFTY], mode: 1 } },
      { tenths: 3, move: { kind: 'fault', firstConnection: true, fault: { type: 'stall', ms: 2500 } } },
    ];

    const plan = planOf(steps, 7, timing);

    // The second stall fires 90 ms after the first connection and lasts 2.5 s: the tail of half a delay
    // follows its end (2.59 s in at the earliest), not the last step.
    expect(plan.clientActions.at(-1)).toEqual({ atMs: 90 + 2500 + 150, action: 'end', watchMs: 500 });
  });

  it('first contact: every client connects, then all authenticate and subscribe in one instant, with no fault', () => {
    const plan = firstContactPlan(7, [NIFTY, RELIANCE], 3);

    expect(plan.faults).toEqual([]);
    expect(plan.clientActions.filter((a) => a.action === 'connect').map((a) => a.atMs)).toEqual([0, 0, 0]);
    const authenticates = plan.clientActions.filter((a) => a.action === 'authenticate');
    expect(authenticates).toHaveLength(3);
    expect(new Set(authenticates.map((a) => a.atMs)).size).toBe(1);
    expect(authenticates[0].atMs).toBeGreaterThan(0);
  });

  it('every generated plan is a valid replay file that opens with its clients connecting, then authenticating together, and ends with the watch', () => {
    fc.assert(
      fc.property(planArbitrary(space), (plan) => {
        const parsed = parseFaultPlan(plan);
        expect(parsed.ok).toBe(true);
        expect(parseClientActions(plan.clientActions).ok).toBe(true);
        const opening = plan.clientActions.filter((a) => a.atMs === 0);
        expect(opening[0]).toEqual({ atMs: 0, action: 'connect', client: 0 });
        const starters = opening.filter((a) => a.action === 'connect').length;
        // A tenth of the 300 ms reconnect delay later, every starter authenticates in the same instant.
        expect(plan.clientActions.filter((a) => a.action === 'authenticate' && a.atMs === 30).length).toBeGreaterThanOrEqual(starters);
        expect(plan.clientActions.at(-1)?.action).toBe('end');
        for (const a of plan.clientActions) if ('client' in a) expect(a.client).toBeLessThan(space.clients);
        // Faults that name a client code name the deployment's own, never another user's.
        for (const f of plan.faults) if ('clientCode' in f.fault) expect(f.fault.clientCode).toBe('DEMO1');
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('the same seed generates the same sequences', () => {
    const sample = () => fc.sample(planArbitrary(space), { seed: 42, numRuns: 5 });
    expect(sample()).toEqual(sample());
  });
});
