import { renderGithub } from './github.ts';
import { renderHtml, type HtmlContext } from './html/index.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderSarif, type ReportAnchors } from './sarif.ts';
import { renderSummary } from './summary.ts';
import { renderText } from './text.ts';
import type { Severity, VerifyReport } from '../types.ts';

/** What every reporter is given besides the finished report. */
export interface RenderOptions {
  /** ANSI colour: only for the text reporter writing to a terminal. */
  colour: boolean;
  failOn: Severity;
  /** Rules that get a JUnit testcase even when clean. */
  rules: readonly string[];
  /** The run's event series and evidence text, for the html reporter (collected only when it is asked for). */
  html?: HtmlContext;
  /** The repository root and the file that judged the run, for SARIF locations. */
  anchors?: ReportAnchors;
}

/**
 * A reporter turns the finished report (or the input error that replaced it) into its document, yielded
 * in chunks (a line, a finding, a testcase, or about 64 K characters of JSON) so the whole text is never
 * held at once. A chunk ends between characters, never inside a surrogate pair, so writing the chunks
 * one by one gives the bytes of the joined document.
 */
export type Reporter = (report: VerifyReport, opts: RenderOptions) => Iterable<string>;

/** The reporters `--reporter NAME[=PATH]` may name; a new one is one module plus one entry here. */
export const REPORTERS = {
  text: renderText,
  json: renderJson,
  junit: renderJunit,
  github: renderGithub,
  html: renderHtml,
  sarif: renderSarif,
  summary: renderSummary,
} as const satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof REPORTERS;
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

/** One `--reporter` value: a reporter and where its document goes (stdout when no path). */
export interface ReporterTarget {
  name: ReporterName;
  path?: string;
}

/** Parses `NAME` or `NAME=PATH`; throws an Error whose message is the one-line usage complaint. */
export function parseReporterTarget(spec: string): ReporterTarget {
  const eq = spec.indexOf('=');
  const name = eq < 0 ? spec : spec.slice(0, eq);
  const path = eq < 0 ? undefined : spec.slice(eq + 1);
  if (!(REPORTER_NAMES as string[]).includes(name)) {
    throw new Error(`--reporter ${spec}: ${name || '(empty)'} is not one of ${REPORTER_NAMES.join(', ')}`);
  }
  if (path === '') throw new Error(`--reporter ${spec}: name a file after =, e.g. ${name}=report.out`);
  return path === undefined ? { name: name as ReporterName } : { name: name as ReporterName, path };
}

/** The report's document in the named reporter's format, chunk by chunk. */
export function render(report: VerifyReport, reporter: ReporterName, opts: RenderOptions): Iterable<string> {
  return REPORTERS[reporter](report, opts);
}
