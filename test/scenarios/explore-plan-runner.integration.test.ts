import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { FAULT_PLAN_VERSION } from '../../mock-broker/index.ts';
import type { ExplorePlan } from '../../scenarios/explore/explore-plan.ts';
import { runPlan } from '../../scenarios/explore/plan-runner.ts';
import { BrokerAdminClient } from '../../scenarios/probe/broker-admin-client.ts';
import { mutantRig } from '../support/mutants/mutant-rig.ts';

const SYMBOL = { symbol: 'SBIN', exchange: 'NSE' } as const;

describe('runPlan leaves the broker as it found it', () => {
  it('a reject-next the sequence did not use up is taken back: the next sequence sees no refusal it did not plan', async ({ onTestFinished }) => {
    const { broker, gateway } = await mutantRig(onTestFinished, 'singleton');
    const admin = new BrokerAdminClient(broker.adminUrl);
    const options = { url: gateway.url, apiKey: DEMO_USER.apiKey, admin };
    // No client dials during this one, so none of its three refusals is used.
    const armsRefusals: ExplorePlan = {
      version: FAULT_PLAN_VERSION,
      clientActions: [{ atMs: 100, action: 'end', watchMs: 500 }],
      faults: [{ atMs: 0, after: 'start', fault: { type: 'reject-next', count: 3 } }],
    };
    const joins: ExplorePlan = {
      version: FAULT_PLAN_VERSION,
      clientActions: [
        { atMs: 0, action: 'connect', client: 0 },
        { atMs: 0, action: 'authenticate', client: 0 },
        { atMs: 0, action: 'subscribe', client: 0, symbols: [SYMBOL], mode: 1 },
        { atMs: 300, action: 'end', watchMs: 500 },
      ],
      faults: [],
    };

    const armed = await runPlan(armsRefusals, options);
    const joined = await runPlan(joins, options);

    expect(armed.faults[0].firedAt).toBeDefined();
    const handshakes = joined.after.events.filter((e) => e.time >= joined.from && e.time <= joined.to && e.type !== 'closed');
    expect(handshakes.map((e) => e.type)).toEqual(['accepted']);
    expect(broker.activeFaults()).toEqual([]);
  });
});
