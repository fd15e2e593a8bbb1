import type { Finding, VerifyReport } from '../../verifier/types.ts';

/** The verifier's findings reduced to what a side-by-side table and a verdict need. */
export interface FindingSummary {
  linesRecognised: number;
  /** How many findings have severity error. */
  errors: number;
  rules: { rule: string; severity: Finding['severity']; count: number; stormKind?: Finding['stormKind'] }[];
  /** The storm kinds the log's findings name (many adapters, runaway retry), each once. */
  stormKinds: NonNullable<Finding['stormKind']>[];
}

/** Findings of one rule added up: a rule may fire once per user or per window. */
export function countsByRule(summary: FindingSummary): Map<string, { severity: Finding['severity']; count: number }> {
  const byRule = new Map<string, { severity: Finding['severity']; count: number }>();
  for (const { rule, severity, count } of summary.rules) {
    const seen = byRule.get(rule);
    byRule.set(rule, { severity, count: (seen?.count ?? 0) + count });
  }
  return byRule;
}

export function summariseFindings(report: VerifyReport): FindingSummary {
  const rules = report.findings.map(({ rule, severity, count, stormKind }) => ({ rule, severity, count, ...(stormKind ? { stormKind } : {}) }));
  const stormKinds = [...new Set(report.findings.flatMap((f) => (f.stormKind ? [f.stormKind] : [])))];
  return {
    linesRecognised: report.linesRecognised,
    errors: report.findings.filter((f) => f.severity === 'error').length,
    rules,
    stormKinds,
  };
}

/** How many findings each rule made (a rule fires once per user or per window), for a page's summary band. */
export function findingsPerRule(rules: FindingSummary['rules'], prefix = ''): { rule: string; severity: string; count: number }[] {
  const counts = new Map<string, { rule: string; severity: string; count: number }>();
  for (const r of rules) {
    const c = counts.get(r.rule) ?? { rule: `${prefix}${r.rule}`, severity: r.severity, count: 0 };
    c.count++;
    counts.set(r.rule, c);
  }
  return [...counts.values()];
}
