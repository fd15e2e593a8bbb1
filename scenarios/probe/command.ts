import { access, stat } from 'node:fs/promises';
import { constants, existsSync, rmSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { EXIT, UsageError } from '../../contract/usage-error.ts';
import { durationOption, wholeNumberOption } from '../../contract/option-checks.ts';
import { DURATION_UNITS } from '../../contract/duration.ts';
import { htmlOption } from '../../verifier/reporters/html/html-option.ts';
import { writePage } from '../../verifier/reporters/html/write-page.ts';
import { ProbeCannotStart, runProbe, type Verdict } from './probe.ts';
import { probeProgressOnTty } from './probe-progress.ts';
import type { LiveCounts } from '../traffic/traffic-runner.ts';
import { exitOnInterrupt, type StopSignal } from '../../contract/interrupt.ts';
import { probeSummary } from './probe-summary.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { runPage } from '../evidence/run-page.ts';
import { renderProbeReport } from './probe-text.ts';
import { SCENARIOS, type Scenario } from '../traffic/traffic-plan.ts';

export interface ProbeArgs {
  'ws-url': string;
  'api-key'?: string;
  clients: number;
  scenario: Scenario;
  duration: string;
  seed: number;
  'broker-admin'?: string;
  log?: string;
  json: boolean;
  html?: string;
}

export const API_KEY_ENV = 'STORMCHECK_API_KEY';
const EXIT_FOR: Record<Verdict, number> = { pass: EXIT.ok, fail: EXIT.findings, 'cannot-judge': EXIT.usage };
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export const probeCommand: Pick<CommandModule<object, ProbeArgs>, 'builder' | 'handler'> = {
  builder: (yargs: Argv) =>
    yargs
      .positional('ws-url', { type: 'string', describe: 'the OpenAlgo WebSocket endpoint, ws:// or wss://' })
      .option('api-key', { type: 'string', describe: `OpenAlgo API key of the user to drive (or env ${API_KEY_ENV})` })
      .option('clients', { type: 'number', default: 20, describe: 'client connections (services of one app), 1–200' })
      .option('scenario', { choices: SCENARIOS, default: 'all', describe: 'traffic pattern' })
      .option('duration', { type: 'string', default: '30s', describe: `how long to drive traffic, 2s–10m (the default plan: at most this long); a duration: ${DURATION_UNITS}` })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the traffic plan' })
      .option('broker-admin', { type: 'string', describe: 'mock broker base URL (reads /__admin/stats and /__admin/events)' })
      .option('log', { type: 'string', describe: 'the deployment\'s log file; only the lines it gains during the probe are verified' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' })
      .option('html', { type: 'string', describe: 'also write a self-contained HTML page of charts to this file' })
      .example('$0 probe ws://127.0.0.1:8765 --api-key K --broker-admin http://127.0.0.1:9443', 'judge from the mock broker')
      .example('$0 probe ws://127.0.0.1:8765 --api-key K --log /var/log/openalgo/app.log', 'judge from the deployment\'s log')
      .example('$0 probe ws://127.0.0.1:8765 --api-key K --broker-admin http://127.0.0.1:9443 --html probe.html', 'and chart it')
      .epilogue('Exit codes: 0 pass, 1 fail (a check, an --explore sequence or a --replay run failed), 2 cannot judge (bad option, target unreachable, key refused, no evidence), 130/143 interrupted.') as unknown as Argv<ProbeArgs>,
  handler: async (args) => {
    try {
      await probe(args);
    } catch (err) {
      // --json promises one document on stdout whatever happens; the one-line reason still goes to stderr.
      if (args.json && err instanceof UsageError) {
        const document = { schemaVersion: 1, command: 'probe', target: args['ws-url'], verdict: 'cannot-judge', error: err.message };
        process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      }
      throw err;
    }
  },
};

/** The probe proper; every problem that stops it is a UsageError (exit 2). */
async function probe(args: ProbeArgs): Promise<void> {
  const url = wsUrlArgument(args['ws-url']);
  const apiKey = args['api-key'] ?? process.env[API_KEY_ENV];
  if (!apiKey) throw new UsageError(`--api-key is required: the OpenAlgo API key of the user to drive (or set ${API_KEY_ENV})`);
  const clients = wholeNumberOption('clients', args.clients, 1, 200);
  const durationMs = durationOption('duration', args.duration, 2000, 600_000);
  const seed = wholeNumberOption('seed', args.seed, 0, 2 ** 32 - 1);
  const brokerAdmin = args['broker-admin'] === undefined ? undefined : brokerAdminOption(args['broker-admin'], url);
  const logFile = args.log === undefined ? undefined : await logOption(args.log);
  if (!brokerAdmin && !logFile) {
    throw new UsageError('cannot judge without evidence: give --broker-admin URL (the mock broker) and/or --log FILE (the deployment\'s log)');
  }
  const htmlIsNew = args.html !== undefined && !existsSync(args.html);
  const htmlPath = args.html === undefined ? undefined : await htmlOption(args.html);
  const records: RunRecord[] = [];
  let report;
  const progress = probeProgressOnTty();
  let phase = 'while starting';
  let live: LiveCounts | undefined;
  const stop = exitOnInterrupt('probe', () => `${phase}; no verdict`);
  stop.onInterrupt((signal) => printPartial(args, signal, live));
  // The empty file that checked --html was writable is no page: an interrupted probe takes it back.
  if (htmlPath !== undefined && htmlIsNew) stop.onInterrupt(() => rmSync(htmlPath, { force: true }));
  try {
    report = await runProbe({
      url: url.href,
      apiKey,
      clients,
      scenario: args.scenario,
      durationMs,
      seed,
      brokerAdmin,
      logFile,
      onProgress: (line) => {
        // Each progress line starts with its phase: `traffic: 20 clients, …`.
        phase = `during ${line.split(':')[0]}`;
        progress?.phase(line);
      },
      onLive: (counts) => {
        live = counts;
        progress?.live(counts);
      },
      onRunRecord: htmlPath === undefined ? undefined : (r) => records.push(r),
    });
  } catch (err) {
    if (err instanceof ProbeCannotStart) throw new UsageError(err.message);
    throw err;
  } finally {
    stop.dispose();
  }
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderProbeReport(report));
  if (htmlPath !== undefined) await writePage(htmlPath, await runPage('stormcheck probe', probeSummary(report), records), '--html');
  if (report.verdict === 'cannot-judge') process.stderr.write('stormcheck: cannot judge: no broker or log evidence could be checked (see "could not check")\n');
  process.exitCode = EXIT_FOR[report.verdict];
}

/**
 * What the clients saw before the interrupt, the probe's partial result: no verdict, since the broker's
 * record and the log are judged only once traffic ends.
 */
function printPartial(args: ProbeArgs, signal: StopSignal, live: LiveCounts | undefined): void {
  if (live === undefined) return;
  if (args.json) {
    const document = { schemaVersion: 1, command: 'probe', target: args['ws-url'], verdict: 'interrupted', interrupted: signal, clientsSoFar: live };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(`probe interrupted by ${signal} before judging; clients so far: ${live.connected} connected, ${live.marketData} ticks, ${live.refusals} refusals\n`);
  }
}

export function wsUrlArgument(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`<ws-url> must be a ws:// or wss:// URL such as ws://127.0.0.1:8765, got '${text}'`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`<ws-url> must start with ws:// or wss://, got '${text}'`);
  }
  return url;
}

/** The probe only talks to loopback or the host it was pointed at, never to a third machine. */
export function brokerAdminOption(text: string, target: URL): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--broker-admin must be an http:// or https:// URL such as http://127.0.0.1:9443, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--broker-admin must start with http:// or https://, got '${text}'`);
  }
  if (!LOOPBACK.has(url.hostname) && url.hostname !== target.hostname) {
    throw new UsageError(`--broker-admin must be on loopback or on the probed host (${target.hostname}), got '${url.hostname}'`);
  }
  return url.href;
}

export async function logOption(path: string): Promise<string> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
    await access(path, constants.R_OK);
  } catch (err) {
    throw new UsageError(`--log ${path} is not a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return path;
}
