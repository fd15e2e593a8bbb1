import { ruleCounts, type RuleCount } from '../../verifier/reporters/rule-counts.ts';
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

/** Findings of one rule added up (a rule may fire once per user or per window), by rule. */
export function countsByRule(summary: FindingSummary): Map<string, RuleCount> {
  return new Map(ruleCounts(summary.rules).map((r) => [r.rule, r]));
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
