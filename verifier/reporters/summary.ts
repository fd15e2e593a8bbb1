import { printableName } from '../printable-name.ts';
import { baselineEntryLines, baselineLine } from '../baseline/baseline-text.ts';
import { ruleDocsUrl, rulesPageUrl } from '../rules/rule-docs.ts';
import { SEVERITIES, type Finding, type VerifyReport } from '../types.ts';
import { line, lines } from './document-lines.ts';

// A job summary is capped at 1 MiB by GitHub; the full list is in the JSON or SARIF report.
const MAX_ROWS = 200;

/**
 * A Markdown job summary (`$GITHUB_STEP_SUMMARY`, or `--reporter summary=FILE`): the verdict, counts per
 * rule with each rule's docs link, the findings table with `file:line`, and what the baseline did.
 */
export function* renderSummary(report: VerifyReport): Generator<string, void, undefined> {
  yield lines([`## stormcheck verify: ${report.verdict.toUpperCase()}`, '']);
  if (report.error) {
    yield line(`Nothing could be judged: ${cell(report.error.message)}`);
    return;
  }
  const by = (s: string) => report.findings.filter((f) => f.severity === s).length;
  yield line(
    `${report.findings.length} finding(s) (${SEVERITIES.map((s) => `${by(s)} ${s}`).join(', ')}), failing at \`${report.failOn}\`, ` +
      `in ${report.linesRead} lines from ${report.inputs.length} input(s).`,
  );
  if (report.unreadableCount > 0) yield lines(['', `${report.unreadableCount} unreadable entr${report.unreadableCount === 1 ? 'y' : 'ies'} skipped (--skip-unreadable): the verdict covers only what was read.`]);
  if (report.window) yield lines(['', `Window ${report.window.since ?? 'start'} .. ${report.window.until ?? 'end'}: ${report.window.linesOutside} line(s) outside it skipped.`]);
  if (report.baseline) yield lines(['', cell(baselineLine(report.baseline)), ...baselineEntryLines(report.baseline).map((l) => `- ${cell(l)}`)]);
  const suppressed = report.suppressed ?? [];
  const rules = [...new Set([...report.findings, ...suppressed].map((f) => f.rule))];
  if (rules.length > 0) {
    yield lines(['', '| rule | error | warning | info | suppressed |', '|---|---:|---:|---:|---:|']);
    for (const rule of rules) {
      const of = (list: Finding[], s?: string) => list.filter((f) => f.rule === rule && (s === undefined || f.severity === s)).length;
      yield line(`| [\`${rule}\`](${ruleDocsUrl(rule)}) | ${of(report.findings, 'error')} | ${of(report.findings, 'warning')} | ${of(report.findings, 'info')} | ${of(suppressed)} |`);
    }
  }
  if (report.findings.length > 0) {
    yield lines(['', '| severity | rule | subject | count | where | message |', '|---|---|---|---:|---|---|']);
    for (const f of report.findings.slice(0, MAX_ROWS)) {
      const who = [f.user === undefined ? '' : `user ${f.user}`, f.broker === undefined ? '' : `broker ${f.broker}`].filter(Boolean).join(', ');
      const at = f.evidence[0] ? `\`${cell(`${f.evidence[0].file}:${f.evidence[0].line}`)}\`` : '';
      yield line(`| ${f.severity} | [\`${f.rule}\`](${f.docsUrl}) | ${cell(who)} | ${f.count} | ${at} | ${cell(f.message)} |`);
    }
    if (report.findings.length > MAX_ROWS) yield lines(['', `… and ${report.findings.length - MAX_ROWS} more in the JSON or SARIF report.`]);
  }
  yield lines(['', `What each rule means and how to fix it: [rules](${rulesPageUrl()}).`]);
}

/** Text safe in a Markdown table cell: no pipes or line breaks. */
function cell(s: string): string {
  // A file name may hold a newline or U+2028: escaped, it stays in its table cell and says what it is.
  return printableName(s).replace(/\|/g, '\\|');
}
