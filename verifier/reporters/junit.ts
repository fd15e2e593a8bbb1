import { baselineEntryLines, baselineLine } from '../baseline/baseline-text.ts';
import { SEVERITIES, type Finding, type Severity, type VerifyReport } from '../types.ts';

const CLASSNAME = 'stormcheck.verify';

/** One rule's findings, and those of them at or above `failOn`. */
interface RuleFindings {
  rule: string;
  findings: Finding[];
  failing: Finding[];
}

/**
 * JUnit XML with one testcase per rule: a rule fails when it has findings at or above `failOn`, and
 * carries the `file`, `line` (its first evidence) and `time` of its first finding. An input error is
 * one testcase in error. Every attribute and text is escaped. The counts come first, then one testcase
 * a chunk.
 */
export function* renderJunit(report: VerifyReport, opts: { failOn: Severity; rules: readonly string[] }): Generator<string, void, undefined> {
  if (report.error) {
    const e = report.error;
    yield* document(1, 0, 1, [
      `    <testcase classname="${CLASSNAME}" name="input"${e.file ? ` file="${xml(e.file)}"` : ''}>\n` +
        `      <error type="${xml(e.code)}" message="${xml(e.message)}">${xml(e.message)}</error>\n` +
        `    </testcase>`,
    ]);
    return;
  }
  const limit = SEVERITIES.indexOf(opts.failOn);
  const rules: RuleFindings[] = [...new Set([...opts.rules, ...report.findings.map((f) => f.rule)])].map((rule) => {
    const findings = report.findings.filter((f) => f.rule === rule);
    return { rule, findings, failing: findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit) };
  });
  const baselineFails = report.baseline !== undefined && report.baseline.strict && report.baseline.unused.length > 0;
  const tests = rules.length + (report.baseline ? 1 : 0) + (report.unreadableCount > 0 ? 1 : 0);
  const failures = rules.filter((r) => r.failing.length > 0).length + (baselineFails ? 1 : 0);
  yield* document(tests, failures, 0, cases(report, rules, baselineFails));
}

function* cases(report: VerifyReport, rules: RuleFindings[], baselineFails: boolean): Generator<string, void, undefined> {
  for (const r of rules) yield ruleCase(r);
  if (report.baseline) {
    const b = report.baseline;
    const text = [baselineLine(b), ...baselineEntryLines(b), ...(report.suppressed ?? []).map((f) => `suppressed: ${describe(f)}`)].join('\n');
    const open = `    <testcase classname="${CLASSNAME}" name="baseline"`;
    yield baselineFails
      ? `${open}>\n      <failure type="unused-baseline-entry" message="${xml(baselineLine(b))}">${xml(text)}</failure>\n    </testcase>`
      : `${open}>\n      <system-out>${xml(text)}</system-out>\n    </testcase>`;
  }
  if (report.unreadableCount > 0) yield unreadableCase(report);
}

function ruleCase({ rule, findings, failing }: RuleFindings): string {
  const open = `    <testcase classname="${CLASSNAME}" name="${xml(rule)}"${where(findings[0])}`;
  const body = findings.map(describe).join('\n');
  if (failing.length === 0) {
    return findings.length === 0 ? `${open}/>` : `${open}>\n      <system-out>${xml(body)}</system-out>\n    </testcase>`;
  }
  const summary = failing.map((f) => f.message).join('; ');
  return `${open}>\n      <failure type="${xml(failing[0].severity)}" message="${xml(summary)}">${xml(body)}</failure>\n    </testcase>`;
}

/** Entries skipped under `--skip-unreadable`: a skipped testcase that counts and lists them. */
function unreadableCase(report: VerifyReport): string {
  const listed = report.unreadable.map((u) => `${u.file}: ${u.reason}`).join('\n');
  const message = `${report.unreadableCount} unreadable entr${report.unreadableCount === 1 ? 'y' : 'ies'} skipped (--skip-unreadable)`;
  return `    <testcase classname="${CLASSNAME}" name="unreadable-inputs">\n      <skipped message="${xml(message)}">${xml(listed)}</skipped>\n    </testcase>`;
}

function* document(tests: number, failures: number, errors: number, cases: Iterable<string>): Generator<string, void, undefined> {
  yield (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="stormcheck" tests="${tests}" failures="${failures}" errors="${errors}">\n` +
    `  <testsuite name="stormcheck verify" tests="${tests}" failures="${failures}" errors="${errors}">\n`
  );
  let none = true;
  for (const c of cases) {
    none = false;
    yield `${c}\n`;
  }
  // A suite with no testcase (every rule switched off) keeps the blank line it has always had.
  if (none) yield '\n';
  yield `  </testsuite>\n</testsuites>\n`;
}

/** `file`, `line` and `time` attributes of a finding (time: seconds from its first to its last line). */
function where(f: Finding | undefined): string {
  if (!f) return '';
  const at = f.evidence[0];
  const span = (Date.parse(f.last) - Date.parse(f.first)) / 1000;
  const time = Number.isFinite(span) && span >= 0 ? ` time="${span.toFixed(3)}"` : '';
  return `${at ? ` file="${xml(at.file)}" line="${at.line}"` : ''}${time}`;
}

function describe(f: Finding): string {
  const refs = f.evidence.map((e) => `${e.file}:${e.line}`).join(', ');
  return `${f.severity.toUpperCase()} ${f.message} (count ${f.count}, ${f.first} .. ${f.last}; ${f.input}; ${refs}; docs: ${f.docsUrl})`;
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;')
    .replace(/[\u2028\u2029]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
