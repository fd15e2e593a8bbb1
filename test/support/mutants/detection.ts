import { failsAt, verifyPaths } from '../../../verifier/index.ts';
import { runProbe, type ProbeOptions } from '../../../scenarios/probe/probe.ts';
import { BROKER_CHECK } from '../../../scenarios/probe/broker-verdict.ts';
import { DEMO_USER } from '../../../gateway/index.ts';
import type { OnFinished } from '../probe-rig.ts';
import type { BankEntry } from './bank.ts';
import { mutantRig } from './mutant-rig.ts';

/** The client check that catches a deployment whose data does not come back. */
export const CLIENT_DATA_CHECK = 'every subscribed client received data';

/** What the gates made of one run of a bank entry. */
export interface Detection {
  entry: BankEntry;
  /** The default probe, judging from the broker's record and its clients alone (no `--log`). */
  probe: 'pass' | 'fail' | 'cannot-judge';
  /** Names of the probe's checks that failed. */
  failed: string[];
  /** `verify` on the gateway's whole log after the run: an error finding catches it. */
  verify: 'pass' | 'fail';
  /** The error rules verify reported. */
  rules: string[];
}

/**
 * Which check of the default probe each entry's mechanism must fail, and whether its log can show it to
 * verify (docs/benchmarks.md#detection-table). The singleton fails nothing.
 */
export const EXPECTED: Record<BankEntry, { probe?: string; verify: boolean }> = {
  'teardown-on-last-client': { probe: BROKER_CHECK.churn, verify: true },
  'no-single-flight': { probe: BROKER_CHECK.refusals, verify: true },
  'retry-without-backoff': { probe: BROKER_CHECK.refusals, verify: true },
  'zombie-retry': { probe: BROKER_CHECK.zombie, verify: true },
  'nested-retry-chains': { probe: BROKER_CHECK.overlap, verify: false },
  'open-before-close': { probe: BROKER_CHECK.overlap, verify: false },
  'lose-subscriptions': { probe: CLIENT_DATA_CHECK, verify: false },
  'dial-with-no-client': { probe: BROKER_CHECK.zombie, verify: true },
  'legacy-2025': { probe: BROKER_CHECK.churn, verify: true },
  'legacy-2026': { probe: BROKER_CHECK.churn, verify: true },
  singleton: { verify: false },
};

/**
 * Runs the default probe (the target, the key and `--broker-admin`, nothing else) against a fresh gateway
 * carrying `entry`, then verifies that gateway's log.
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
    failed: report.checks.filter((c) => c.status === 'fail').map((c) => c.name),
    verify: failsAt(verified, 'error') ? 'fail' : 'pass',
    rules: [...new Set(verified.findings.filter((f) => f.severity === 'error').map((f) => f.rule))],
  };
}
