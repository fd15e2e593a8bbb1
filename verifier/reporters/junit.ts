import { SEVERITIES, type Severity, type VerifyReport } from '../types.ts';

/** JUnit XML with one testcase per rule: a rule fails when it has findings at or above `failOn`. */
export function renderJunit(report: VerifyReport, opts: { failOn: Severity; rules: readonly string[] }): string {
  const limit = SEVERITIES.indexOf(opts.failOn);
  const names = [...new Set([...opts.rules, ...report.findings.map((f) => f.rule)])];
  let failures = 0;
  const cases = names.map((rule) => {
    const findings = report.findings.filter((f) => f.rule === rule);
    const failing = findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit);
    const body = findings
      .map((f) => `${f.severity.toUpperCase()} ${f.message} (count ${f.count}, ${f.first} .. ${f.last}; ${f.evidence.join(', ')})`)
      .join('\n');
    if (failing.length === 0) {
      return findings.length === 0
        ? `    <testcase classname="stormcheck.verify" name="${rule}"/>`
        : `    <testcase classname="stormcheck.verify" name="${rule}">\n      <system-out>${xml(body)}</system-out>\n    </testcase>`;
    }
    failures++;
    const summary = failing.map((f) => f.message).join('; ');
    return (
      `    <testcase classname="stormcheck.verify" name="${rule}">\n` +
      `      <failure type="${failing[0].severity}" message="${xml(summary)}">${xml(body)}</failure>\n` +
      `    </testcase>`
    );
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="stormcheck" tests="${names.length}" failures="${failures}">\n` +
    `  <testsuite name="stormcheck verify" tests="${names.length}" failures="${failures}" errors="0">\n` +
    `${cases.join('\n')}\n` +
    `  </testsuite>\n</testsuites>\n`
  );
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
}
