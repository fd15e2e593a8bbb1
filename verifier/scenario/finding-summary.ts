import type { Finding, VerifyReport } from '../types.ts';

/** The verifier's findings reduced to what a side-by-side table and a verdict need. */
export interface FindingSummary {
  linesRecognised: number;
  /** How many findings have severity error. */
  errors: number;
  rules: { rule: string; severity: Finding['severity']; count: number; stormKind?: Finding['stormKind'] }[];
  /** The storm kind the log shows, when a storm finding names one. */
  stormKind?: Finding['stormKind'];
}

export function summariseFindings(report: VerifyReport): FindingSummary {
  const rules = report.findings.map(({ rule, severity, count, stormKind }) => ({ rule, severity, count, ...(stormKind ? { stormKind } : {}) }));
  const stormKind = report.findings.find((f) => f.stormKind)?.stormKind;
  return {
    linesRecognised: report.linesRecognised,
    errors: report.findings.filter((f) => f.severity === 'error').length,
    rules,
    ...(stormKind ? { stormKind } : {}),
  };
}
