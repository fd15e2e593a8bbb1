import type { BaselineEntry, BaselineSummary } from '../types.ts';

/** One line for what the baseline did: the suppressed count is never silently gone. */
export function baselineLine(b: BaselineSummary): string {
  return `baseline ${b.file}: ${b.suppressed} finding(s) suppressed, ${b.expired.length} expired entr${b.expired.length === 1 ? 'y' : 'ies'}, ${b.unused.length} unused of ${b.entries}${b.strict && b.unused.length > 0 ? ' (--strict-baseline: fails)' : ''}`;
}

/** The expired and unused entries, one line each. */
export function baselineEntryLines(b: BaselineSummary): string[] {
  return [
    ...b.expired.map((e) => `baseline entry expired on ${e.expires}, no longer suppresses: ${entryText(e)}`),
    ...b.unused.map((e) => `baseline entry matched no finding: ${entryText(e)}`),
  ];
}

export function entryText(e: BaselineEntry): string {
  return [e.rule, e.user === undefined ? '' : `user ${e.user}`, e.broker === undefined ? '' : `broker ${e.broker}`, e.fingerprint].filter(Boolean).join(' ');
}
