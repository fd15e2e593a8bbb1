import { SEVERITIES, type Severity } from '../types.ts';

/** One rule's findings: how many, the lines behind them, and the most severe among them. */
export interface RuleCount {
  rule: string;
  severity: Severity;
  findings: number;
  lines: number;
}

/**
 * Findings per rule, in the order the rules first appear: the one reduction every page band, terminal
 * table and verdict uses, so each prints the same figures (a rule fires once per user or per window).
 */
export function ruleCounts(findings: readonly { rule: string; severity: Severity; count: number }[]): RuleCount[] {
  const byRule = new Map<string, RuleCount>();
  for (const f of findings) {
    const c = byRule.get(f.rule) ?? { rule: f.rule, severity: f.severity, findings: 0, lines: 0 };
    c.findings++;
    c.lines += f.count;
    if (SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(c.severity)) c.severity = f.severity;
    byRule.set(f.rule, c);
  }
  return [...byRule.values()];
}
