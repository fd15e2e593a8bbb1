import { describe, it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { MUTANTS, type BankEntry } from '../support/mutants/bank.ts';
import { EXPECTED } from '../support/mutants/detection.ts';
import { mutantRig } from '../support/mutants/mutant-rig.ts';
import { stormcheck } from '../support/run-stormcheck.ts';

interface ProbeJson {
  verdict: string;
  checks: { name: string; status: string; detail: string }[];
  couldNotCheck: string[];
}

/**
 * One cell pair of the detection table per bank entry (docs/benchmarks.md#detection-table), through the
 * built CLI as a user runs it: `stormcheck probe <url> --api-key K --broker-admin URL` with every other
 * option at its default, then `stormcheck verify` on the gateway's log. The repeated runs behind the
 * table's counts are the deep project's (detection-table.deep.test.ts).
 */
describe.concurrent('the detection table: the default probe and verify against each entry of the bank', { timeout: 90_000 }, () => {
  it.for([...MUTANTS, 'singleton'] as BankEntry[])('%s', async (entry, { expect, onTestFinished }) => {
    const { broker, gateway, logFile } = await mutantRig(onTestFinished, entry);

    const probe = await stormcheck(['probe', gateway.url, '--api-key', DEMO_USER.apiKey, '--broker-admin', broker.adminUrl, '--json']);
    const verify = await stormcheck(['verify', logFile]);

    const report = JSON.parse(probe.stdout) as ProbeJson;
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    const expected = EXPECTED[entry];
    if (expected.probe === undefined) {
      // Against a healthy deployment the default plan fits its duration: no phase is skipped.
      expect(report.couldNotCheck.filter((line) => line.startsWith('traffic:'))).toEqual([]);
      expect(failed).toEqual([]);
      expect(probe.code).toBe(0);
    } else {
      expect(failed).toContain(expected.probe);
      expect(probe.code).toBe(1);
    }
    expect(verify.code).toBe(expected.verify ? 1 : 0);
  });
});
