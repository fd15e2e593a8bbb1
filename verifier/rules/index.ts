import { RULE_CATALOG } from './catalog.ts';
import type { Rule, Thresholds } from './rule.ts';
import { newRuleContext } from './rule-context.ts';

export type { Rule, Thresholds } from './rule.ts';
export { PatternRule } from './pattern-rule.ts';
export { RULE_CATALOG, ruleEntry, severityText, type RuleEntry } from './catalog.ts';

/**
 * The built-in rules (docs/rules.md), in the order the report lists them. `thresholdsOf` gives each
 * rule its own thresholds (a config file can set them per rule); `enabled` leaves rules switched off out.
 * The rules of one call share one context (rule-context.ts): call it once per judged group.
 */
export function builtInRules(t: Thresholds, thresholdsOf: (rule: string) => Thresholds = () => t, enabled: (rule: string) => boolean = () => true): Rule[] {
  const shared = newRuleContext();
  return RULE_CATALOG.filter((r) => enabled(r.name)).map((r) => r.create(thresholdsOf(r.name), shared));
}

/** The names of the built-in rules, in report order (one JUnit testcase each, even when clean). */
export function builtInRuleNames(enabled: (rule: string) => boolean = () => true): string[] {
  return RULE_CATALOG.filter((r) => enabled(r.name)).map((r) => r.name);
}
