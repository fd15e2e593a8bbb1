import { BrokerAdminClient } from '../probe/broker-admin-client.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { firedFaults } from './explore.ts';
import type { ExplorePlan } from './explore-plan.ts';
import { runPlan } from './plan-runner.ts';
import { assertKeyAccepted, preflight } from './preflight.ts';
import { failureWords, planSteps } from './plan-wording.ts';
import { runRecordOf } from './run-record-of.ts';
import { judgeSequence, type Violation } from './sequence-judge.ts';

export interface ReplayOptions {
  url: string;
  apiKey: string;
  brokerAdmin: string;
  logFile?: string;
  plan: ExplorePlan;
  /** Where the plan came from, for the report. */
  file: string;
  times: number;
  onProgress?: (line: string) => void;
  /** Given the broker's timeline of the first failing replay (or the last one), for `--html`. */
  onRunRecord?: (record: RunRecord) => void;
  /** Stops before the next replay and cuts the one running short (SIGINT or SIGTERM); `runs` holds those that finished. */
  signal?: AbortSignal;
}

export interface ReplayRun {
  failed: boolean;
  violations: Violation[];
  /** The failure in one line, when it failed. */
  summary?: string;
  /** What the deployment's log said during the run (with `logFile`). */
  log?: string;
}

export interface ReplayReport {
  schemaVersion: 1;
  command: 'probe';
  mode: 'replay';
  target: string;
  file: string;
  times: number;
  /** How many replays failed. */
  failed: number;
  verdict: 'pass' | 'fail';
  steps: string[];
  runs: ReplayRun[];
}

/**
 * `probe --replay FILE --times N`: runs a saved plan N times against the endpoint, each judged from the
 * broker's record as the explorer judged it, and says how often it failed.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayReport> {
  const admin = new BrokerAdminClient(options.brokerAdmin);
  await preflight(options.url, options.brokerAdmin, admin);
  const progress = options.onProgress ?? (() => {});
  const runs: ReplayRun[] = [];
  let shown: RunRecord | undefined;
  for (let i = 0; i < options.times && !options.signal?.aborted; i++) {
    const run = await runPlan(options.plan, {
      url: options.url,
      apiKey: options.apiKey,
      admin,
      ...(options.logFile ? { logFile: options.logFile } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (run.stopped) break;
    assertKeyAccepted(run, options.url);
    const verdict = judgeSequence(run, options.plan);
    const first = verdict.violations[0];
    runs.push({
      failed: verdict.failed,
      violations: verdict.violations,
      ...(first ? { summary: failureWords(options.plan, { kind: first.kind, atMs: first.at - run.from }, firedFaults(run)) } : {}),
      ...(run.log ? { log: run.log } : {}),
    });
    if (!shown || (verdict.failed && runs.filter((r) => r.failed).length === 1)) shown = runRecordOf(options.url, run, options.plan);
    progress(`replay ${i + 1} of ${options.times}: ${verdict.failed ? `FAIL (${verdict.violations.map((v) => v.kind).join(', ')})` : 'pass'}`);
  }
  if (shown) options.onRunRecord?.(shown);
  const failed = runs.filter((r) => r.failed).length;
  return {
    schemaVersion: 1,
    command: 'probe',
    mode: 'replay',
    target: options.url,
    file: options.file,
    times: options.times,
    failed,
    verdict: failed > 0 ? 'fail' : 'pass',
    steps: planSteps(options.plan),
    runs,
  };
}
