import type { Argv, CommandModule } from 'yargs';
import { durationOption, hostPortOption, wholeNumberOption } from '../contract/option-checks.ts';
import { EXIT, UsageError } from '../contract/usage-error.ts';
import { exitOnInterrupt } from '../contract/interrupt.ts';
import { STDIN } from './input/expand-paths.ts';
import { DURATION_UNITS, parseDuration } from '../contract/duration.ts';
import { DEFAULT_OPTIONS, errorReport, verifyFollow, verifyPaths, VerifyInputError } from './index.ts';
import { parseReporterTarget, REPORTER_NAMES, type RenderOptions, type ReporterTarget } from './reporters/index.ts';
import { wantsColour } from './reporters/colour-choice.ts';
import { HtmlContextBuilder } from './reporters/html/index.ts';
import { repositoryRoot } from './reporters/repository-root.ts';
import { appendStepSummary } from './reporters/step-summary.ts';
import { writeReports } from './reporters/write-reports.ts';
import { builtInRuleNames } from './rules/index.ts';
import { inputBytes, progressOnTerminal } from './progress-line.ts';
import { loadRulesFile } from './rules-file.ts';
import { judgeWithBaseline, planBaseline, type BaselinePlan } from './baseline/baseline-options.ts';
import { CONFIG_FILE_NAME } from './config/config-schema.ts';
import { findConfig, loadConfig } from './config/load-config.ts';
import { printableSettings, resolveSettings, type VerifySettings } from './config/resolve-settings.ts';
import { thresholdText } from './rules/threshold-text.ts';
import { THRESHOLD_SPECS, thresholdNamed } from './rules/thresholds.ts';
import { parseTimeBound, type TimeBound } from './time-bounds.ts';
import { printableName } from './printable-name.ts';
import type { AlarmRequest } from './alarm/start-alarm.ts';
import { durationText } from './rules/duration-text.ts';
import { SEVERITIES, type Finding, type LogFormat, type ReportError, type Severity, type Thresholds, type VerifyOptions, type VerifyReport } from './types.ts';
import { keepHeapLean } from './lean-heap.ts';

interface VerifyArgs {
  paths?: string[];
  format: LogFormat;
  rules?: string;
  /** One value, or several when the option is repeated (not `array`: that would swallow the paths after it). */
  reporter?: string | string[];
  output?: string;
  follow: boolean;
  merge: boolean;
  window?: string;
  burst?: number;
  storm?: number;
  'zombie-reconnect'?: number;
  'forced-reconnect'?: number;
  'stale-feed'?: number;
  'event-loop-stall'?: number;
  /** `NAME=VALUE`, repeatable like `--reporter`. */
  threshold?: string | string[];
  'fail-on'?: Severity;
  config?: string;
  'print-config': boolean;
  baseline?: string;
  'update-baseline'?: string;
  expires?: string;
  'prune-baseline': boolean;
  'strict-baseline': boolean;
  since?: string;
  until?: string;
  'allow-empty': boolean;
  'skip-unreadable': boolean;
  metrics?: string;
  'window-for-alarm'?: string;
  color?: boolean;
}

const FORMATS = ['auto', 'openalgo', 'pino'] as const satisfies readonly LogFormat[];

/** A day: longer windows would join unrelated trading sessions into one burst. */
const MAX_WINDOW_MS = 86_400_000;

/** The whole-number thresholds, each at least 1: `--burst`, `--storm` and one per counted rule. */
const COUNT_OPTIONS = ['burst', 'storm', 'zombie-reconnect', 'forced-reconnect', 'stale-feed', 'event-loop-stall'] as const;

export const verifyCommand: Pick<CommandModule<object, VerifyArgs>, 'builder' | 'handler'> = {
  builder: (y: Argv) =>
    y
      .positional('paths', { type: 'string', array: true, defaultDescription: 'none: name at least one', describe: 'log files, folders (recursive), globs, .gz rotations, or - for stdin' })
      .option('format', { choices: FORMATS, default: 'auto', describe: 'line format; auto decides per line' })
      .option('config', { type: 'string', describe: `settings file (default: the nearest ${CONFIG_FILE_NAME} from here upward); flags override it` })
      .option('print-config', { type: 'boolean', default: false, describe: 'print the resolved settings (flags, then config file, then defaults) as JSON and exit' })
      .option('rules', { type: 'string', describe: 'JSON file of extra pattern rules' })
      .option('baseline', { type: 'string', describe: 'suppress the accepted findings listed in this file (until each entry expires)' })
      .option('update-baseline', { type: 'string', describe: 'write this baseline file: the entries kept plus one per new finding' })
      .option('expires', { type: 'string', describe: 'YYYY-MM-DD stamped on the entries --update-baseline adds (the last day they suppress)' })
      .option('prune-baseline', { type: 'boolean', default: false, describe: 'with --update-baseline: drop entries that matched nothing' })
      .option('strict-baseline', { type: 'boolean', default: false, describe: 'fail the run when a baseline entry matched nothing' })
      .option('reporter', {
        type: 'string',
        describe: `report format, NAME or NAME=FILE, repeatable: ${REPORTER_NAMES.join(' | ')} (default: text)`,
      })
      .option('output', { type: 'string', describe: 'write the (single) report to this file instead of stdout' })
      .option('since', { type: 'string', describe: 'judge only lines from this time: ISO (2026-01-05T09:15) or a duration before the newest line (2h)' })
      .option('until', { type: 'string', describe: 'judge only lines up to this time: ISO, or a duration before the newest line (30m)' })
      .option('merge', { type: 'boolean', default: false, describe: "judge all inputs as one process's logs, in time order" })
      .option('follow', { type: 'boolean', default: false, describe: 'keep reading one growing file like tail -F (or - until it ends), telling findings as they appear; Ctrl-C stops and reports' })
      .option('metrics', { type: 'string', describe: 'with --follow: serve /metrics (Prometheus) and /health on [HOST:]PORT, the production alarm; host 127.0.0.1 unless given' })
      .option('window-for-alarm', { type: 'string', describe: `with --metrics: findings are judged over this much arrival time, so a storm that ended clears; a duration: ${DURATION_UNITS} (default: 15m)` })
      .option('window', { type: 'string', describe: `time window for bursts, churn and unanswered attempts; a duration: ${DURATION_UNITS} (default: ${thresholdText(thresholdNamed('window')!, DEFAULT_OPTIONS.windowMs)})` })
      .option('burst', { type: 'number', describe: `adapter creations per user allowed within --window (default: ${DEFAULT_OPTIONS.burst})` })
      .option('storm', { type: 'number', describe: `fresh connection attempts within 1 s that make a storm (default: ${DEFAULT_OPTIONS.storm})` })
      .option('zombie-reconnect', { type: 'number', describe: `SDK retries after teardown (or counter regressions) per broker that fire zombie-reconnect (default: ${DEFAULT_OPTIONS.zombieReconnect})` })
      .option('forced-reconnect', { type: 'number', describe: `watchdog-forced reconnects per user that fire forced-reconnect (default: ${DEFAULT_OPTIONS.forcedReconnect})` })
      .option('stale-feed', { type: 'number', describe: `stale-feed lines per user that fire stale-feed (default: ${DEFAULT_OPTIONS.staleFeed})` })
      .option('event-loop-stall', { type: 'number', describe: `thread-join timeouts per user that fire event-loop-stall (default: ${DEFAULT_OPTIONS.eventLoopStall})` })
      .option('threshold', {
        type: 'string',
        describe: `set any rule threshold, NAME=VALUE, repeatable: ${THRESHOLD_SPECS.map((t) => t.name).join(', ')} (see docs/rules.md#thresholds)`,
      })
      .option('fail-on', { choices: SEVERITIES, describe: `exit 1 on findings of this severity or worse (default: ${DEFAULT_OPTIONS.failOn})` })
      .option('allow-empty', { type: 'boolean', default: false, describe: 'accept input with no recognisable log line' })
      .option('skip-unreadable', {
        type: 'boolean',
        default: false,
        describe: 'judge the rest when entries of a folder or glob cannot be read (they are counted in the report); without it such a run exits 2',
      })
      .option('color', { type: 'boolean', describe: 'colour the text report: --color always, --no-color never; default: on a terminal unless NO_COLOR (FORCE_COLOR forces)' })
      .example('$0 verify logs/openalgo.log', 'judge one log; exit 1 when it shows the bug')
      .example('$0 verify /var/log/openalgo/ --reporter junit --output verify.xml', 'a folder, JUnit for CI')
      .example('$0 verify logs/ --reporter github --reporter junit=verify.xml --reporter json=verify.json', 'several reporters in one run')
      .example('$0 verify logs/app.log logs/smartapi.log --merge', "OpenAlgo's log and the SDK's logzero file as one process")
      .example("$0 verify 'logs/**/*.log*' --window 2m --burst 3", 'a glob, with .gz rotations, looser thresholds')
      .example('$0 verify app.log --forced-reconnect 5 --stale-feed 2', 'quiet market: tolerate more watchdog lines')
      .example('$0 verify app.log --threshold refusal-rate=60 --threshold forced-reconnect-span=30m', 'any rule threshold by name')
      .example('$0 verify /var/log/openalgo/ --skip-unreadable', 'judge what can be read; unreadable entries are listed and counted')
      .example('journalctl -u openalgo -o short | $0 verify -', 'stdin')
      .example('$0 verify app.log --follow', 'watch a live log; Ctrl-C prints the report')
      .example('$0 verify app.log --follow --metrics 0.0.0.0:9464 --window-for-alarm 15m', 'production alarm: Prometheus scrapes stormcheck_findings')
      .example('$0 verify app.log --rules my-rules.json --fail-on warning --reporter github', 'extra rules, stricter gate')
      .example('$0 verify --config ci/stormcheck.config.json --print-config', 'the settings a run would use (flags > file > defaults)')
      .example('$0 verify logs/ --baseline stormcheck-baseline.json --reporter sarif=stormcheck.sarif', 'accepted findings suppressed, SARIF for code scanning')
      .example('$0 verify logs/ --since 2h', 'only the last two hours before the newest line')
      .epilogue('Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad option or input that cannot be judged, 130/143 interrupted (--follow: reports instead).') as unknown as Argv<VerifyArgs>,
  handler: async (args) => {
    const colour = wantsColour(args.color, process.stdout);
    let settings: VerifySettings;
    try {
      settings = await settingsOf(args);
    } catch (err) {
      // A bad flag or config file: the reporters named on the command line still get their document.
      if (err instanceof UsageError) await report(usageReport(err, DEFAULT_OPTIONS.failOn), flagTargets(args), { colour, userRules: [], anchors: {} });
      throw err;
    }
    if (args['print-config']) {
      process.stdout.write(`${JSON.stringify(printableSettings(settings), null, 2)}\n`);
      return;
    }
    const paths = settings.inputs;
    const targets = toTargets(settings.reporters, args.output);
    const failOn = settings.failOn;
    const anchors = { repoRoot: await repositoryRoot(process.cwd(), process.env), configFile: settings.configFile, rulesFile: settings.rulesFile };
    let options: Partial<VerifyOptions>;
    let baseline: BaselinePlan | undefined;
    let alarm: AlarmRequest | undefined;
    try {
      options = await toOptions(args, settings);
      alarm = alarmOf(args, paths, options);
      baseline = await planBaseline({
        baseline: args.baseline,
        updateBaseline: args['update-baseline'],
        expires: args.expires,
        pruneBaseline: args['prune-baseline'],
        strictBaseline: args['strict-baseline'],
      });
    } catch (err) {
      // A CI step that reads the JSON (or the annotations) still gets one document saying why.
      if (err instanceof UsageError) await report(usageReport(err, failOn), targets, { colour, userRules: [], anchors });
      throw err;
    }
    const html = targets.some((t) => t.name === 'html') ? new HtmlContextBuilder() : undefined;
    if (html) options.onEvent = html.onEvent;
    // --follow's Ctrl-C is its normal end: it reports (runVerify); a run on files has nothing to report yet.
    const interrupt = args.follow ? undefined : exitOnInterrupt('verify', () => `while reading ${paths.length === 1 ? paths[0] : `${paths.length} inputs`}; no report`);
    const outcome = await runVerify(paths, args.follow, options, alarm).finally(() => interrupt?.dispose());
    const judged = 'report' in outcome ? outcome.report : errorReport(outcome.error, { ...DEFAULT_OPTIONS, ...options, failOn });
    const done = baseline ? await judgeWithBaseline(judged, baseline, new Date().toISOString().slice(0, 10)) : judged;
    const failed = await report(done, targets, {
      colour,
      userRules: options.userRules!.map((r) => r.name),
      enabled: (rule) => settings.rules[rule]?.severity !== 'off',
      html: html ? await html.context(done) : undefined,
      anchors,
    });
    const summaryFailure = await appendStepSummary(done, targets, process.env);
    if (summaryFailure) process.stderr.write(`stormcheck: ${summaryFailure}\n`);
    if (done.error) process.stderr.write(`stormcheck: ${done.error.message}\n`);
    process.exitCode = failed || summaryFailure ? EXIT.usage : done.exitCode;
  },
};

/** Writes every reporter's document; returns whether a file could not be written (each is named on stderr). */
async function report(
  done: VerifyReport,
  targets: ReporterTarget[],
  how: { colour: boolean; userRules: string[]; enabled?: (rule: string) => boolean; html?: RenderOptions['html']; anchors: RenderOptions['anchors'] },
): Promise<boolean> {
  const failures = await writeReports(
    done,
    targets,
    { colour: how.colour, failOn: done.failOn, rules: [...builtInRuleNames(how.enabled), ...how.userRules], html: how.html, anchors: how.anchors },
    process.stdout,
  );
  for (const f of failures) process.stderr.write(`stormcheck: cannot write --reporter ${f.target.name}=${f.target.path}: ${f.reason}\n`);
  return failures.length > 0;
}

function usageReport(err: UsageError, failOn: Severity): VerifyReport {
  return errorReport({ code: 'USAGE', file: '', message: err.message }, { ...DEFAULT_OPTIONS, failOn });
}

/** The reporters the command line names, for the document of a usage error found before the config is read. */
function flagTargets(args: VerifyArgs): ReporterTarget[] {
  try {
    return toTargets([args.reporter ?? 'text'].flat(), args.output);
  } catch {
    return [];
  }
}

/** `--reporter` values, with `--output FILE` the file of a single reporter named without one. */
function toTargets(reporters: string[], output: string | undefined): ReporterTarget[] {
  let targets: ReporterTarget[];
  try {
    targets = reporters.map(parseReporterTarget);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const toStdout = targets.filter((t) => t.path === undefined && output === undefined);
  if (toStdout.length > 1) {
    throw new UsageError(`only one reporter can write to stdout, got ${toStdout.map((t) => t.name).join(', ')}; give the others a file: --reporter NAME=FILE`);
  }
  if (output === undefined) return targets;
  if (targets.length !== 1 || targets[0].path !== undefined) {
    throw new UsageError('--output names the file of a single reporter; with several, give each its file as --reporter NAME=FILE');
  }
  return [{ name: targets[0].name, path: output }];
}

/** The flags as given, checked, then the config file (`--config`, or the nearest one) beneath them. */
async function settingsOf(args: VerifyArgs): Promise<VerifySettings> {
  const windowMs = args.window === undefined ? undefined : durationOption('window', args.window, 1, MAX_WINDOW_MS);
  for (const name of COUNT_OPTIONS) if (args[name] !== undefined) wholeNumberOption(name, args[name], 1);
  const file = args.config ?? (await findConfig(process.cwd()));
  return resolveSettings(
    {
      paths: withStdin(args.paths ?? []),
      reporters: args.reporter === undefined ? undefined : [args.reporter].flat(),
      failOn: args['fail-on'],
      rulesFile: args.rules,
      thresholds: {
        windowMs,
        burst: args.burst,
        storm: args.storm,
        zombieReconnect: args['zombie-reconnect'],
        forcedReconnect: args['forced-reconnect'],
        staleFeed: args['stale-feed'],
        eventLoopStall: args['event-loop-stall'],
        ...thresholdSettings([args.threshold ?? []].flat()),
      },
    },
    file === undefined ? undefined : await loadConfig(file),
  );
}

/**
 * yargs-parser drops a lone `-` (it reads it as an empty short-flag group), so stdin is taken back from
 * the raw arguments, in its place among the paths.
 */
function withStdin(paths: string[]): string[] {
  const raw = process.argv.slice(process.argv.indexOf('verify') + 1);
  if (!raw.includes(STDIN)) return paths;
  return raw.filter((t) => t === STDIN || paths.includes(t));
}

async function toOptions(args: VerifyArgs, settings: VerifySettings): Promise<Partial<VerifyOptions>> {
  const paths = settings.inputs;
  if (paths.length === 0) {
    throw new UsageError(`name the logs to verify: files, folders, globs, or - for stdin, or "inputs" in ${CONFIG_FILE_NAME} (see stormcheck verify --help)`);
  }
  if (args.follow && paths.length !== 1) {
    throw new UsageError('--follow reads exactly one file path, or - for a stream such as docker logs -f');
  }
  const userRules = settings.rulesFile === undefined ? [] : await loadRulesFile(settings.rulesFile).catch(asUsage);
  return {
    format: args.format,
    merge: args.merge,
    failOn: settings.failOn,
    ...settings.thresholds,
    allowEmpty: args['allow-empty'],
    since: timeBound('since', args.since),
    until: timeBound('until', args.until),
    skipUnreadable: args['skip-unreadable'],
    userRules,
    ruleSettings: settings.rules,
  };
}

/** What `--metrics` and `--window-for-alarm` ask for, checked (each needs the option before it). */
function alarmOf(args: VerifyArgs, paths: string[], options: Partial<VerifyOptions>): AlarmRequest | undefined {
  if (args['window-for-alarm'] !== undefined && args.metrics === undefined) throw new UsageError('--window-for-alarm is the window of the --metrics alarm; add --follow --metrics [HOST:]PORT');
  if (args.metrics === undefined) return undefined;
  if (!args.follow) throw new UsageError('--metrics serves the alarm of a followed log; add --follow');
  const { host, port } = hostPortOption('metrics', args.metrics);
  const windowMs = durationOption('window-for-alarm', args['window-for-alarm'] ?? '15m', 1_000, 7 * 24 * 3_600_000);
  const all = { ...DEFAULT_OPTIONS, ...options };
  return { file: paths[0], host, port, windowMs, thresholds: all, ruleSettings: all.ruleSettings ?? {}, failOn: all.failOn };
}

/** The report, or the input error that left nothing to judge (exit 2; reporters still write a document). */
async function runVerify(
  paths: string[],
  follow: boolean,
  options: Partial<VerifyOptions>,
  alarmRequest?: AlarmRequest,
): Promise<{ report: VerifyReport } | { error: ReportError }> {
  keepHeapLean();
  const progress = process.stderr.isTTY ? progressOnTerminal(process.stderr, follow ? undefined : await inputBytes(paths).catch(() => undefined)) : undefined;
  options = { ...options, onProgress: progress?.update };
  try {
    if (!follow) return { report: await verifyPaths(paths, options) };
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    const file = paths[0];
    // prom-client is loaded only for --metrics: every other verify run pays no start-up for it.
    const alarm = alarmRequest ? await (await import('./alarm/start-alarm.ts')).startAlarm(alarmRequest) : undefined;
    if (alarm) process.stderr.write(`stormcheck verify: alarm on ${alarm.url} and /health; findings over the last ${durationText(alarmRequest!.windowMs)} of arrival time\n`);
    const seeEvent = options.onEvent;
    try {
      return {
        report: await verifyFollow(file, stop.signal, {
          ...options,
          onEvent: alarm ? (ev) => (seeEvent?.(ev), alarm.onEvent(ev)) : seeEvent,
          onFinding: (f) => process.stderr.write(`${newFindingLine(f)}\n`),
        }, {
          onData: alarm?.onData,
          onWaiting: () => process.stderr.write(`stormcheck verify: waiting for ${printableName(file)} to appear (like tail -F); press Ctrl-C to stop\n`),
          onCaughtUp: (bytes) => process.stderr.write(`stormcheck verify: following ${file} (${bytes} bytes read); press Ctrl-C to stop and report\n`),
          onRotation: (r) => {
            alarm?.onRotation(r);
            process.stderr.write(
              `stormcheck verify: ${file} was ${r.kind}${r.mayHaveMissedLines ? '; lines written just before may be missed' : ''}; reading it from its start\n`,
            );
          },
        }),
      };
    } finally {
      await alarm?.close();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
  } catch (err) {
    if (err instanceof VerifyInputError) return { error: { code: err.code, file: err.file, message: err.message } };
    throw err;
  } finally {
    progress?.clear();
  }
}

/** One stderr line per finding that appears while following; stdout stays the report's alone. */
function newFindingLine(f: Finding): string {
  const who = [f.user === undefined ? '' : ` user ${f.user}`, f.broker === undefined ? '' : ` broker ${f.broker}`].join('');
  const at = f.evidence[0] === undefined ? '' : ` at ${f.evidence[0].file}:${f.evidence[0].line}`;
  return `stormcheck verify: new ${f.severity} ${f.rule}${who}${at}: ${f.message}`;
}

function timeBound(name: string, value: string | undefined): TimeBound | undefined {
  if (value === undefined) return undefined;
  const bound = parseTimeBound(value);
  if (!bound) throw new UsageError(`--${name} ${value} is neither an ISO time (2026-01-05T09:15, with a zone or read as the log's) nor a duration with its unit (90m, 2h)`);
  return bound;
}

/** `--threshold NAME=VALUE` settings, each value read in its threshold's unit. */
function thresholdSettings(settings: string[]): Partial<Thresholds> {
  const out: Partial<Thresholds> = {};
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    const spec = thresholdNamed(setting.slice(0, eq));
    if (eq < 0 || !spec) {
      throw new UsageError(`--threshold ${setting}: write NAME=VALUE with NAME one of ${THRESHOLD_SPECS.map((t) => t.name).join(', ')}`);
    }
    const text = setting.slice(eq + 1);
    const value = spec.unit === 'duration' ? parseDuration(text) : Number(text);
    if (value === undefined || !Number.isInteger(value) || value < 1) {
      const expected = spec.unit === 'duration' ? 'a duration such as 500ms, 1s or 15m' : 'a whole number of at least 1';
      throw new UsageError(`--threshold ${spec.name} must be ${expected}, got '${text}'`);
    }
    out[spec.key] = value;
  }
  return out;
}

function asUsage(err: unknown): never {
  if (err instanceof VerifyInputError) throw new UsageError(err.message);
  throw err;
}
