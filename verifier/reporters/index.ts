import type { Severity, VerifyReport } from '../types.ts';
import { renderGithub } from './github.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderText } from './text.ts';

export const REPORTERS = ['text', 'json', 'junit', 'github'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface RenderOptions {
  colour: boolean;
  failOn: Severity;
  /** Rules that get a JUnit testcase even when clean. */
  rules: readonly string[];
}

/** Renders the report with the named reporter. */
export function render(report: VerifyReport, reporter: ReporterName, opts: RenderOptions): string {
  switch (reporter) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report, opts);
    case 'github':
      return renderGithub(report);
    default:
      return renderText(report, opts);
  }
}
