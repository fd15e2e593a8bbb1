import { constants, existsSync, rmSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { EXIT, UsageError } from '../../contract/usage-error.ts';
import { exitOnInterrupt, type StopSignal } from '../../contract/interrupt.ts';
import { durationOption, wholeNumberOption } from '../../contract/option-checks.ts';
import { progressOnTty } from '../../contract/progress-on-tty.ts';
import { writePage } from '../../verifier/reporters/html/write-page.ts';
import { runPage } from '../evidence/run-page.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { ProbeCannotStart } from '../probe/probe.ts';
import { API_KEY_ENV, brokerAdminOption, logOption, probeCommand, wsUrlArgument, type ProbeArgs } from '../probe/command.ts';
import { htmlOption } from '../../verifier/reporters/html/html-option.ts';
import { runExplore } from './explore.ts';
import { renderExploreReport, renderReplayReport, replayCount } from './explore-text.ts';
import { InterruptPhase } from './interrupt-phase.ts';
import type { ExplorePlan } from './explore-plan.ts';
import { defaultReplayFile, readReplayFile, writeReplayFile } from './replay-file.ts';
import { runReplay, type ReplayReport } from './replay.ts';

/** The probe command's own options plus the explorer's. */
type ProbeExploreArgs = ProbeArgs & { explore: boolean; budget?: string; save?: string; replay?: string; times?: number };

/**
 * `stormcheck probe` with the explorer's options: `--explore` searches, `--replay` runs a saved sequence
 * again, anything else is the plain probe. The explorer extends the probe, so the probe imports none of it.
 */
export const probeWithExploreCommand: CommandModule<object, ProbeExploreArgs> = {
  ...(probeCommand as unknown as CommandModule<object, ProbeExploreArgs>),
  builder: (yargs: Argv) =>
    (probeCommand.builder as (y: Argv) => Argv)(yargs)
      .option('explore', { type: 'boolean', default: false, describe: 'search for a failing sequence and shrink it (needs --broker-admin)' })
      .option('budget', { type: 'string', describe: 'with --explore: time for search and shrinking together, 10s–1h (default 3m)' })
      .option('save', { type: 'string', describe: 'with --explore: replay file of the minimal failing sequence (default probe-replay-<seed>.json)' })
      .option('replay', { type: 'string', describe: 'run a saved replay file again instead of the traffic plan (needs --broker-admin)' })
      .option('times', { type: 'number', describe: 'with --replay: how many times to run it, 1–1000 (default 1)' })
      .example('$0 probe ws://127.0.0.1:8765 --api-key K --broker-admin http://127.0.0.1:9443 --explore --seed 7', 'search 3 min, shrink a failure')
      .example('$0 probe ws://127.0.0.1:8765 --api-key K --broker-admin http://127.0.0.1:9443 --replay r.json', 'run a saved sequence again') as unknown as Argv<ProbeExploreArgs>,
  handler: async (args) => {
    const problem = exploreOptionsError(args);
    if (problem) throw new UsageError(problem);
    if (!args.explore && args.replay === undefined) return (probeCommand.handler as (a: ProbeArgs) => Promise<void>)(args);
    try {
      await exploreCommand(await exploreArgs(args));
    } catch (err) {
      // --json promises one document on stdout whatever happens, as the plain probe's does.
      if (args.json && err instanceof UsageError) {
        const document = { schemaVersion: 1, command: 'probe', mode: args.explore ? 'explore' : 'replay', target: args['ws-url'], verdict: 'cannot-judge', error: err.message };
        process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      }
      throw err;
    }
  },
};

/** Checks the options the explorer shares with the probe, as the probe checks them. */
async function exploreArgs(args: ProbeExploreArgs): Promise<ExploreArgs> {
  const url = wsUrlArgument(args['ws-url']);
  const apiKey = args['api-key'] ?? process.env[API_KEY_ENV];
  if (!apiKey) throw new UsageError(`--api-key is required: the OpenAlgo API key of the user to drive (or set ${API_KEY_ENV})`);
  return {
    url: url.href,
    apiKey,
    ...(args['broker-admin'] === undefined ? {} : { brokerAdmin: brokerAdminOption(args['broker-admin'], url) }),
    ...(args.log === undefined ? {} : { logFile: await logOption(args.log) }),
    seed: wholeNumberOption('seed', args.seed, 0, 2 ** 32 - 1),
    json: args.json,
    ...(args.html === undefined ? {} : { htmlIsNew: !existsSync(args.html), htmlPath: await htmlOption(args.html) }),
    explore: args.explore,
    ...(args.budget === undefined ? {} : { budget: args.budget }),
    ...(args.save === undefined ? {} : { save: args.save }),
    ...(args.replay === undefined ? {} : { replay: args.replay }),
    ...(args.times === undefined ? {} : { times: args.times }),
  };
}

/** The probe's options that the explorer reads, checked. */
export interface ExploreArgs {
  url: string;
  apiKey: string;
  brokerAdmin?: string;
  logFile?: string;
  seed: number;
  json: boolean;
  htmlPath?: string;
  /** The empty file that checked `--html` was writable was made by this run: an interrupt takes it back. */
  htmlIsNew?: boolean;
  explore: boolean;
  budget?: string;
  save?: string;
  replay?: string;
  times?: number;
}

/** The search may run from 10 s to an hour; the default is the three minutes. */
const BUDGET = { default: '3m', minMs: 10_000, maxMs: 3_600_000 } as const;
const MAX_TIMES = 1000;

/** Which explorer options were given without the mode they belong to: a typo must not run the plain probe. */
export function exploreOptionsError(args: Pick<ExploreArgs, 'explore' | 'budget' | 'save' | 'replay' | 'times'>): string | undefined {
  if (args.explore && args.replay !== undefined) return '--explore and --replay do not go together: search for a failure, or replay one';
  if (!args.explore && (args.budget !== undefined || args.save !== undefined)) return `--${args.budget !== undefined ? 'budget' : 'save'} needs --explore`;
  if (args.replay === undefined && args.times !== undefined) return '--times needs --replay FILE';
  return undefined;
}

/**
 * `probe --explore` and `probe --replay`: the command's exit code is set here. SIGINT or SIGTERM ends the
 * search (or the replays) as the budget would: one line says what was interrupted, the partial result
 * follows on stdout (a failure found so far is saved as a replay file), then exit 130 or 143.
 */
export async function exploreCommand(args: ExploreArgs): Promise<void> {
  if (!args.brokerAdmin) {
    throw new UsageError(`--${args.explore ? 'explore' : 'replay'} needs --broker-admin URL: the mock broker whose faults it injects and whose record it judges`);
  }
  const brokerAdmin = args.brokerAdmin;
  const records: RunRecord[] = [];
  const onRunRecord = args.htmlPath === undefined ? undefined : (r: RunRecord) => records.push(r);
  const tty = progressOnTty();
  const phase = new InterruptPhase(args.explore ? 'explore' : 'replay');
  const interrupt = new AbortController();
  let interruptedBy: StopSignal | undefined;
  let finished: Promise<PageBand | undefined> = Promise.resolve(undefined);
  const stop = exitOnInterrupt(`probe --${args.explore ? 'explore' : 'replay'}`, () => `${phase}; partial result on stdout`);
  // The partial result is written by the run itself once it has wound down (clients closed, faults ended).
  stop.onInterrupt(async (signal) => {
    interruptedBy = signal;
    interrupt.abort();
    await finished.catch(() => undefined);
  });
  const htmlPath = args.htmlPath;
  if (htmlPath !== undefined && args.htmlIsNew) stop.onInterrupt(() => rmSync(htmlPath, { force: true }));
  const hooks: Hooks = {
    onRunRecord,
    onProgress: (line) => {
      phase.follow(line);
      tty?.(line);
    },
    signal: interrupt.signal,
    interruptedBy: () => interruptedBy,
  };
  let summary: PageBand | undefined;
  try {
    finished = args.explore ? explore(args, brokerAdmin, hooks) : replay(args, brokerAdmin, hooks);
    summary = await finished;
  } catch (err) {
    if (interruptedBy) return writeInterruptedBeforeResult(args, interruptedBy);
    if (err instanceof ProbeCannotStart) throw new UsageError(err.message);
    throw err;
  } finally {
    stop.dispose();
  }
  if (summary && args.htmlPath !== undefined && records.length > 0) {
    const { verdict, facts } = summary;
    await writePage(
      args.htmlPath,
      await runPage('stormcheck probe', { verdict, tone: verdict.startsWith('PASS') ? 'pass' : 'fail', facts, ruleCounts: [], stormKinds: [] }, records),
      '--html',
    );
  }
}

/** What the HTML page's summary band says. */
type PageBand = { verdict: string; facts: string[] };

type Hooks = {
  onRunRecord?: (r: RunRecord) => void;
  onProgress: (line: string) => void;
  signal: AbortSignal;
  /** The signal that interrupted the run, once one has. */
  interruptedBy: () => StopSignal | undefined;
};

/** The JSON document of a run interrupted before it had any result (while learning the timing). */
function writeInterruptedBeforeResult(args: ExploreArgs, signal: StopSignal): void {
  if (!args.json) return;
  const document = { schemaVersion: 1, command: 'probe', mode: args.explore ? 'explore' : 'replay', target: args.url, verdict: 'interrupted', interrupted: signal };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

/**
 * Writes the report (the partial one after an interrupt), sets the exit code and returns what the page's
 * band says; an interrupted run has no page.
 */
async function explore(args: ExploreArgs, brokerAdmin: string, hooks: Hooks): Promise<PageBand | undefined> {
  const budgetMs = durationOption('budget', args.budget ?? BUDGET.default, BUDGET.minMs, BUDGET.maxMs);
  const file = args.save ?? defaultReplayFile(args.seed);
  await replayFolderWritable(file);
  const { interruptedBy, ...runHooks } = hooks;
  // Each smaller failure is saved as it is found; a write that fails is reported by the last one below.
  let saving = Promise.resolve();
  const onFailure = (plan: ExplorePlan) => (saving = saving.then(() => writeReplayFile(file, plan)).catch(() => undefined));
  const report = await runExplore({ url: args.url, apiKey: args.apiKey, brokerAdmin, logFile: args.logFile, seed: args.seed, budgetMs, onFailure, ...runHooks });
  await saving;
  const interrupted = interruptedBy();
  let saved: { file: string; command: string } | undefined;
  if (report.failure) {
    try {
      await writeReplayFile(file, report.failure.plan);
    } catch (err) {
      throw new UsageError(`cannot write the replay file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pick another --save FILE`);
    }
    saved = { file: resolve(file), command: `stormcheck probe ${args.url} --api-key KEY --broker-admin ${brokerAdmin} --replay ${file} --times 10` };
  }
  const document = { ...report, ...interruptedFields(interrupted), ...(saved ? { replayFile: saved.file } : {}) };
  process.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : renderExploreReport(report, saved, interrupted));
  if (interrupted) return undefined;
  process.exitCode = report.verdict === 'fail' ? EXIT.findings : EXIT.ok;
  return report.failure
    ? { verdict: `FAIL: ${report.failure.summary}`, facts: [...report.failure.steps, ...report.failure.violations.map((v) => `${v.kind}: ${v.detail}`)] }
    : { verdict: `PASS: no failure in ${report.sequences} sequences`, facts: Object.entries(report.mechanisms).map(([m, n]) => `${m}: ${n} sequences`) };
}

/** A search takes minutes: a replay file that cannot be written must not be found out only at its end. */
async function replayFolderWritable(file: string): Promise<void> {
  try {
    await access(dirname(resolve(file)), constants.W_OK);
  } catch (err) {
    throw new UsageError(`cannot write the replay file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pick another --save FILE`);
  }
}

/** An interrupted run has no verdict: what it found so far is its partial result. */
function interruptedFields(signal: StopSignal | undefined): { verdict: 'interrupted'; interrupted: StopSignal } | Record<string, never> {
  return signal ? { verdict: 'interrupted', interrupted: signal } : {};
}

async function replay(args: ExploreArgs, brokerAdmin: string, hooks: Hooks): Promise<PageBand | undefined> {
  const times = wholeNumberOption('times', args.times ?? 1, 1, MAX_TIMES);
  const file = args.replay!;
  const plan = await readReplayFile(file);
  if (!plan.ok) throw new UsageError(plan.error);
  const { interruptedBy, ...runHooks } = hooks;
  const report: ReplayReport = await runReplay({ url: args.url, apiKey: args.apiKey, brokerAdmin, logFile: args.logFile, plan: plan.value, file, times, ...runHooks });
  const interrupted = interruptedBy();
  const document = { ...report, ...interruptedFields(interrupted) };
  process.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : renderReplayReport(report, interrupted));
  if (interrupted) return undefined;
  process.exitCode = report.verdict === 'fail' ? EXIT.findings : EXIT.ok;
  return { verdict: `${report.verdict === 'fail' ? 'FAIL' : 'PASS'}: ${replayCount(report)}`, facts: report.steps };
}
