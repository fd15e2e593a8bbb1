import type { Thresholds } from '../types.ts';
import { THRESHOLD_SPECS, type ThresholdSpec } from './thresholds.ts';

/** The thresholds a rule reads, in declaration order (none for most pattern-counting rules). */
export function ruleThresholds(rule: string): ThresholdSpec[] {
  return THRESHOLD_SPECS.filter((s) => (s.rules as readonly string[]).includes(rule));
}

/** A threshold's value as the user writes it: `60s`, `500ms`, `2m`, or the count. */
export function thresholdText(spec: ThresholdSpec, value: number): string | number {
  if (spec.unit !== 'duration') return value;
  if (value % 60_000 === 0 && value >= 120_000) return `${value / 60_000}m`;
  if (value % 1000 === 0) return `${value / 1000}s`;
  return `${value}ms`;
}

/** A rule's thresholds by name, as written (`{"burst": 2, "window": "60s"}`). */
export function ruleThresholdValues(rule: string, t: Thresholds): Record<string, string | number> {
  return Object.fromEntries(ruleThresholds(rule).map((s) => [s.name, thresholdText(s, t[s.key])]));
}
