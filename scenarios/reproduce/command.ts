import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { makeFolder } from '../../contract/make-folder.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { EXIT, UsageError } from '../../contract/usage-error.ts';
import { timeScaleDeclaration, timeScaleOption } from '../../contract/time-scale-option.ts';
import type { RegistryMode } from '../../gateway/index.ts';
import { durationOption, wholeNumberOption } from '../../contract/option-checks.ts';
import { DURATION_UNITS } from '../../contract/duration.ts';
import { progressOnTty } from '../../contract/progress-on-tty.ts';
import { exitOnInterrupt } from '../../contract/interrupt.ts';
import { htmlOption } from '../../verifier/reporters/html/html-option.ts';
import { writePage } from '../../verifier/reporters/html/write-page.ts';
import {
  REPRODUCE_MODES,
  REPRODUCE_TIME_SCALE,
  reproduceReport,
  runReproduce,
  withoutLogFiles,
  type ModeResult,
  type ReproduceOptions,
  type ReproduceReport,
} from './reproduce.ts';
import { reproduceSummary } from './reproduce-summary.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { runPage } from '../evidence/run-page.ts';
import { renderReproduceTable } from './reproduce-table.ts';
import { SCENARIOS, type Scenario } from '../traffic/traffic-plan.ts';

/** `--mode`: all three columns, one registry, or `legacy` (the alias of legacy-2025). */
const MODES = {
  all: REPRODUCE_MODES,
  'legacy-2025': ['legacy-2025'],
  'legacy-2026': ['legacy-2026'],
  legacy: ['legacy-2025'],
  singleton: ['singleton'],
} as const satisfies Record<string, readonly RegistryMode[]>;

interface ReproduceArgs {
  clients: number;
  duration: string;
  seed: number;
  limit: number;
  mode: keyof typeof MODES;
  scenario: Scenario;
  json: boolean;
  'log-dir'?: string;
  'time-scale': number;
  html?: string;
}

export const reproduceCommand: Pick<CommandModule<object, ReproduceArgs>, 'builder' | 'handler'> = {
  builder: (yargs: Argv) =>
    yargs
      .option('clients', { type: 'number', default: 20, describe: 'client connections (services of one app), 1–200' })
      .option('duration', { type: 'string', default: '6s', describe: `traffic time per registry, 2s–2m; a duration: ${DURATION_UNITS}` })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the traffic plan and the broker\'s ticks' })
      .option('limit', { type: 'number', default: 2, describe: 'the mock broker\'s connections per client code' })
      .option('mode', { choices: Object.keys(MODES), default: 'all', describe: 'which registries to run (legacy = legacy-2025)' })
      .option('scenario', { choices: SCENARIOS, default: 'all', describe: 'traffic pattern; all = another app holding the slots + churn + a broker drop' })
      .option('time-scale', timeScaleDeclaration(REPRODUCE_TIME_SCALE))
      .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' })
      .option('log-dir', { type: 'string', describe: 'keep the gateway logs in this folder (created); absent: a temporary folder removed at the end' })
      .example('$0 reproduce', 'legacy-2025, legacy-2026 and singleton, 20 clients, 6 s each, legacy delays × 0.03')
      .example('$0 reproduce --mode legacy-2026 --time-scale 0.2 --duration 30s', 'only OpenAlgo 2026-08, closer to its real timings')
      .example('$0 reproduce --mode legacy --clients 40 --json', 'only legacy-2025, as JSON')
      .example('$0 reproduce --log-dir out/reproduce', 'keep the gateway logs to read or verify later')
      .option('html', { type: 'string', describe: 'also write a self-contained HTML page of charts to this file' })
      .example('$0 reproduce --html reproduce.html', 'the table, and the charts as one HTML file')
      .epilogue(
        'Exit codes: 0 every registry behaved as expected, 1 an expectation failed, 2 bad option,\n' +
          '130/143 interrupted by SIGINT/SIGTERM (the registries that finished are printed).\n' +
          'Expected: legacy-2025 storms, legacy-2026 churns and leaves zombies, singleton stays clean.',
      ) as unknown as Argv<ReproduceArgs>,
  handler: async (args) => {
    const options: ReproduceOptions = {
      clients: wholeNumberOption('clients', args.clients, 1, 200),
      durationMs: durationOption('duration', args.duration, 2000, 120_000),
      seed: wholeNumberOption('seed', args.seed, 0, 2 ** 32 - 1),
      limit: wholeNumberOption('limit', args.limit, 1, 100),
      modes: [...MODES[args.mode]],
      scenario: args.scenario,
      timeScale: timeScaleOption(args['time-scale']),
      onProgress: progressOnTty(),
    };
    const htmlIsNew = args.html !== undefined && !existsSync(args.html);
    const htmlPath = args.html === undefined ? undefined : await htmlOption(args.html);
    const keptLogDir = args['log-dir'] === undefined ? undefined : await logDirOption(args['log-dir']);
    const finished: ModeResult[] = [];
    const stop = exitOnInterrupt('reproduce', () =>
      finished.length === options.modes.length ? 'while writing the report' : `while running ${options.modes[finished.length]} (${finished.length} of ${options.modes.length} registries done)`,
    );
    // Without --log-dir the gateway logs (and the page's evidence lines) live in a temporary folder,
    // removed at the end or on an interrupt.
    const tempLogDir = keptLogDir === undefined ? await mkdtemp(join(tmpdir(), 'stormcheck-reproduce-')) : undefined;
    const shown = (report: ReproduceReport) => (tempLogDir === undefined ? report : withoutLogFiles(report));
    stop.onInterrupt((signal) => {
      if (finished.length > 0) printReport(shown(reproduceReport(options, finished, signal)), args.json);
    });
    if (tempLogDir !== undefined) stop.onInterrupt(() => rmSync(tempLogDir, { recursive: true, force: true }));
    // The empty file that checked --html was writable is no page: an interrupted run takes it back.
    if (htmlPath !== undefined && htmlIsNew) stop.onInterrupt(() => rmSync(htmlPath, { force: true }));
    try {
      const records: RunRecord[] = [];
      const run = await runReproduce({
        ...options,
        logDir: keptLogDir ?? tempLogDir,
        onRunRecord: htmlPath === undefined ? undefined : (r) => records.push(r),
        onModeResult: (result) => finished.push(result),
      });
      const page = htmlPath === undefined ? undefined : await runPage('stormcheck reproduce', reproduceSummary(run), records);
      const report = shown(run);
      printReport(report, args.json);
      if (htmlPath !== undefined && page !== undefined) await writePage(htmlPath, page, '--html');
      process.exitCode = report.pass ? EXIT.ok : EXIT.findings;
    } finally {
      if (tempLogDir !== undefined) await rm(tempLogDir, { recursive: true, force: true });
      stop.dispose();
    }
  },
};

function printReport(report: ReproduceReport, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderReproduceTable(report));
}

async function logDirOption(dir: string): Promise<string> {
  try {
    await makeFolder(dir);
  } catch (err) {
    throw new UsageError(`--log-dir ${dir} cannot be created (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return dir;
}
