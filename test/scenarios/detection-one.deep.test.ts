import { it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { runProbe } from '../../scenarios/probe/probe.ts';
import { mutantRig } from '../support/mutants/mutant-rig.ts';
import type { BankEntry } from '../support/mutants/bank.ts';

it('one', { timeout: 120_000 }, async ({ onTestFinished }) => {
  const entry = (process.env.ENTRY ?? 'teardown-on-last-client') as BankEntry;
  const { broker, gateway } = await mutantRig(onTestFinished, entry);
  const report = await runProbe({ url: gateway.url, apiKey: DEMO_USER.apiKey, clients: 20, scenario: (process.env.SCEN ?? 'all') as 'all', durationMs: 30_000, seed: 1, brokerAdmin: broker.adminUrl, onProgress: (l) => console.log(new Date().toISOString().slice(17,23), l) });
  console.log(JSON.stringify({ checks: report.checks, conns: report.broker?.connections, drops: report.brokerDrops, cnc: report.couldNotCheck, ev: broker.events().map((e) => [e.type, e.time % 100000, 'reason' in e ? e.reason : '', e.count]) }, null, 1));
});
