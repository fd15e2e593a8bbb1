import { describe, expect, it } from 'vitest';
import { parseFaultPlan, parseFaultPlanText } from '../../mock-broker/index.ts';

describe('fault plan format', () => {
  it('reads a whole plan: version, seed, opaque client actions and faults with their triggers', () => {
    const plan = {
      version: 1,
      seed: 7,
      clientActions: [{ atMs: 0, action: 'connect', clientCode: 'A123' }],
      faults: [
        { atMs: 100, after: 'start', fault: { type: 'drop-all', mode: 'close', code: 1001 } },
        { atMs: 50, after: { firstConnection: 'A123' }, fault: { type: 'reject-next', count: 2 } },
      ],
    };

    expect(parseFaultPlan(plan)).toEqual({
      ok: true,
      plan: {
        version: 1,
        seed: 7,
        clientActions: [{ atMs: 0, action: 'connect', clientCode: 'A123' }],
        faults: [
          { atMs: 100, after: 'start', fault: { type: 'drop-all', mode: 'close', code: 1001 } },
          { atMs: 50, after: { firstConnection: 'A123' }, fault: { type: 'reject-next', count: 2, status: 429 } },
        ],
      },
    });
  });

  it('takes a bare faults array; a missing "after" means the start', () => {
    expect(parseFaultPlan([{ atMs: 0, fault: { type: 'stall', ms: 500 } }])).toEqual({
      ok: true,
      plan: { version: 1, clientActions: [], faults: [{ atMs: 0, after: 'start', fault: { type: 'stall', ms: 500 } }] },
    });
  });

  it.each([
    [{ version: 2, faults: [] }, 'version must be 1, got 2'],
    [{ faults: [] }, 'version must be 1, got undefined'],
    [{ version: 1, fualts: [] }, '"fualts" is not a plan field; use version, seed, clientActions, faults'],
    [{ version: 1, seed: -1, faults: [] }, 'seed must be an integer from 0 to 4294967295'],
    [{ version: 1 }, 'faults must be an array'],
    [{ version: 1, faults: [], clientActions: {} }, 'clientActions must be an array'],
    [{ version: 1, faults: [], clientActions: [{ action: 'connect' }] }, 'clientActions[0].atMs must be an integer'],
    [[{ atMs: -5, fault: { type: 'stall', ms: 1 } }], 'faults[0].atMs must be an integer from 0 to 2147483647'],
    [[{ atMs: 0, fault: { type: 'stall', ms: 1 } }, { atMs: 0, fault: { type: 'stall' } }], 'faults[1].fault: stall needs "ms"'],
    [[{ atMs: 0, fault: { type: 'nuke' } }], 'faults[0].fault: unknown fault type "nuke"'],
    [[{ atMs: 0, after: 'end', fault: { type: 'stall', ms: 1 } }], 'faults[0].after must be "start" or {"firstConnection": "<clientCode>"}'],
    [[{ atMs: 0, after: { firstConnection: '' }, fault: { type: 'stall', ms: 1 } }], 'faults[0].after must be "start"'],
    [[{ atMs: 0, at: 5, fault: { type: 'stall', ms: 1 } }], 'faults[0]."at" is not a plan field; use atMs, after, fault'],
    [['drop-all'], 'faults[0] must be an object'],
    ['plan', 'a fault plan is a JSON object'],
  ])('refuses %j naming the field: %s', (input, error) => {
    const result = parseFaultPlan(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(error);
  });

  it('reports JSON syntax errors in a plan file as errors, not exceptions', () => {
    const result = parseFaultPlanText('{"version": 1,');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(/^a fault plan must be JSON: /);
  });
});
