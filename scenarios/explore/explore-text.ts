import type { StopSignal } from '../../contract/interrupt.ts';
import type { ExploreReport } from './explore.ts';
import { MECHANISMS } from './mechanisms.ts';
import { seconds } from './plan-wording.ts';
import type { ReplayReport } from './replay.ts';

/** `2 min 05 s`, `45 s`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * The human report of `probe --explore`: the verdict and the failure in one line first, then the
 * minimal sequence step by step, its evidence and how to replay it; or, with no failure, how many
 * sequences ran and which mechanisms they covered. `interrupted` makes it the partial result: no verdict.
 */
export function renderExploreReport(report: ExploreReport, replay?: { file: string; command: string }, interrupted?: StopSignal): string {
  const { timing, options } = report;
  const out = [
    `stormcheck probe ${report.target} --explore — seed ${options.seed}, budget ${duration(options.budgetMs)}, up to ${options.clients} clients and ${options.maxSteps} steps a sequence`,
    `authenticated as user ${report.user || '(not named)'}; the deployment dialled ${seconds(timing.dialMs)} after a client came and again ${seconds(timing.reconnectMs)} after a broker drop (delays are scaled to that)`,
    ...(timing.note ? [`note: ${timing.note}`] : []),
  ];
  const failure = report.failure;
  const cut = interrupted ? `interrupted by ${interrupted}` : 'the budget ended';
  if (!failure) {
    out.push(
      `verdict: ${interrupted ? `INTERRUPTED by ${interrupted}, no verdict` : 'PASS'} — no failure in ${report.sequences} sequences (${duration(report.elapsedMs)})`,
      '',
      'mechanisms covered (sequences that exercised each)',
    );
    for (const m of MECHANISMS) out.push(`  ${String(report.mechanisms[m]).padStart(4)}  ${m}`);
    return `${out.join('\n')}\n`;
  }
  out.push(
    `verdict: ${interrupted ? `INTERRUPTED by ${interrupted}, no verdict; before it,` : 'FAIL —'} sequence ${report.sequences} failed ${duration(failure.firstFailureMs)} in; search and shrinking took ${duration(report.elapsedMs)}`,
    `  ${failure.summary}`,
    '',
    `minimal sequence: ${failure.minimalSteps} steps, shrunk from ${failure.firstFailingSteps} in ${failure.shrinkRuns} runs` +
      (failure.shrinkInterrupted ? ` (${cut} while shrinking: a smaller one may exist)` : ''),
    ...failure.steps.map((s) => `  ${s}`),
    '',
    'evidence (the broker\'s record)',
    ...failure.violations.map((v) => `  FAIL ${v.kind}: ${v.detail}`),
    ...(failure.log ? [`  log: ${failure.log}`] : []),
  );
  if (replay) out.push('', `replay file: ${replay.file}`, `  ${replay.command}`);
  return `${out.join('\n')}\n`;
}

/** The human report of `probe --replay`: how often the plan failed, then each run; `interrupted`: the runs so far. */
export function renderReplayReport(report: ReplayReport, interrupted?: StopSignal): string {
  const verdict = interrupted
    ? `INTERRUPTED by ${interrupted} after ${report.runs.length} of ${report.times} runs, no verdict — ${replayCount({ failed: report.failed, times: report.runs.length })}`
    : `${report.verdict === 'fail' ? 'FAIL' : 'PASS'} — ${replayCount(report)}`;
  const out = [
    `stormcheck probe ${report.target} --replay ${report.file} — ${report.times} run${report.times === 1 ? '' : 's'}`,
    `verdict: ${verdict}`,
    '',
    'sequence',
    ...report.steps.map((s) => `  ${s}`),
    '',
    'runs',
    ...report.runs.map((r, i) => `  ${String(i + 1).padStart(2)}. ${r.failed ? `FAIL: ${r.summary}` : 'pass'}${r.log ? ` (log: ${r.log})` : ''}`),
  ];
  return `${out.join('\n')}\n`;
}

/** `9 of 10 replays fail`, `0 of 1 replay fails`. */
export function replayCount(report: Pick<ReplayReport, 'failed' | 'times'>): string {
  return report.times === 1 ? `${report.failed} of 1 replay fails` : `${report.failed} of ${report.times} replays fail`;
}
