import { failsAt, verifyPaths } from '../../../verifier/index.ts';
import { runProbe, type ProbeOptions } from '../../../scenarios/probe/probe.ts';
import { DEMO_USER } from '../../../gateway/index.ts';
import type { OnFinished } from '../probe-rig.ts';
import type { BankEntry } from './bank.ts';
import { mutantRig } from './mutant-rig.ts';

/** What the gates made of one run of a bank entry. */
export interface Detection {
  entry: BankEntry;
  /** The default probe, judging from the broker's record (and its clients) alone. */
  probe: 'pass' | 'fail' | 'cannot-judge';
  /** The probe's checks that failed, as `source: name`. */
  failed: string[];
  /** `stormcheck verify` on the mutant gateway's whole log after the run: an error finding catches it. */
  verify: 'pass' | 'fail';
  /** The error rules verify reported. */
  rules: string[];
}

/**
 * Runs the default probe (no options but the target, key and `--broker-admin`) against a fresh gateway
 * carrying `entry`, then verifies the gateway's log. The probe gets no `--log`: the detection table's
 * probe column is the broker's record and the clients alone.
 */
export async function detect(onFinished: OnFinished, entry: BankEntry, probe: Partial<ProbeOptions> = {}): Promise<Detection> {
  const { broker, gateway, logFile } = await mutantRig(onFinished, entry);
  const report = await runProbe({
    url: gateway.url,
    apiKey: DEMO_USER.apiKey,
    clients: 20,
    scenario: 'all',
    durationMs: 30_000,
    seed: 1,
    brokerAdmin: broker.adminUrl,
    ...probe,
  });
  const verified = await verifyPaths([logFile]);
  return {
    entry,
    probe: report.verdict,
    failed: report.checks.filter((c) => c.status === 'fail').map((c) => `${c.source}: ${c.name}`),
    verify: failsAt(verified, 'error') ? 'fail' : 'pass',
    rules: [...new Set(verified.findings.filter((f) => f.severity === 'error').map((f) => f.rule))],
  };
}
