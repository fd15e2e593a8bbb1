import type { RuleSetting, Severity, Thresholds } from '../types.ts';
import { builtInRules } from './index.ts';
import type { Rule } from './rule.ts';

/** A config file's `rules` (docs/verify.md#config-file): per rule, off, another severity or thresholds of its own. */
export type RuleSettings = Readonly<Record<string, RuleSetting>>;

/** Whether the settings leave the rule on. */
export function ruleIsOn(rule: string, settings: RuleSettings): boolean {
  return settings[rule]?.severity !== 'off';
}

/** The built-in rules as the settings have them: those switched off left out, each with its own thresholds. */
export function configuredRules(thresholds: Thresholds, settings: RuleSettings): Rule[] {
  return builtInRules(thresholds, (rule) => ({ ...thresholds, ...settings[rule]?.thresholds }), (rule) => ruleIsOn(rule, settings));
}

/** A finding's severity as the settings grade its rule. */
export function configuredSeverity(finding: { rule: string; severity: Severity }, settings: RuleSettings): Severity {
  const severity = settings[finding.rule]?.severity;
  return severity && severity !== 'off' ? severity : finding.severity;
}
