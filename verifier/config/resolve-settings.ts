import { RULE_CATALOG, severityText } from '../rules/index.ts';
import { ruleThresholdValues } from '../rules/threshold-text.ts';
import { DEFAULT_THRESHOLDS } from '../rules/thresholds.ts';
import type { RuleSetting, Severity, Thresholds } from '../types.ts';
import { DEFAULT_OPTIONS } from '../verify.ts';
import type { StormcheckConfig } from './load-config.ts';

/** What the command line said; undefined where a flag was not given. */
export interface VerifyFlags {
  paths: string[];
  reporters?: string[];
  failOn?: Severity;
  rulesFile?: string;
  thresholds: Partial<Thresholds>;
}

/** The settings a run uses: each from its flag, else the config file, else the default. */
export interface VerifySettings {
  configFile?: string;
  inputs: string[];
  reporters: string[];
  failOn: Severity;
  rulesFile?: string;
  thresholds: Thresholds;
  rules: Record<string, RuleSetting>;
}

/**
 * Flags, then the file, then the defaults. A threshold flag (`--window 2m`) also beats a rule's own
 * threshold in the file: the command line is what someone typed for this run.
 */
export function resolveSettings(flags: VerifyFlags, config: StormcheckConfig | undefined): VerifySettings {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...definedOnly(flags.thresholds) };
  const rules: Record<string, RuleSetting> = {};
  for (const [name, setting] of Object.entries(config?.rules ?? {})) {
    const own = Object.fromEntries(Object.entries(setting.thresholds ?? {}).filter(([key]) => flags.thresholds[key as keyof Thresholds] === undefined));
    rules[name] = { ...setting, thresholds: own };
  }
  return {
    configFile: config?.file,
    inputs: flags.paths.length > 0 ? flags.paths : (config?.inputs ?? []),
    reporters: flags.reporters ?? config?.reporters ?? ['text'],
    failOn: flags.failOn ?? config?.failOn ?? DEFAULT_OPTIONS.failOn,
    rulesFile: flags.rulesFile ?? config?.rulesFile,
    thresholds,
    rules,
  };
}

/** `--print-config`: the resolved settings, every rule with the severity and thresholds it will judge with. */
export function printableSettings(s: VerifySettings): Record<string, unknown> {
  return {
    configFile: s.configFile ?? null,
    inputs: s.inputs,
    reporters: s.reporters,
    failOn: s.failOn,
    rulesFile: s.rulesFile ?? null,
    rules: Object.fromEntries(
      RULE_CATALOG.map((r) => {
        const own = s.rules[r.name];
        return [
          r.name,
          {
            severity: own?.severity ?? severityText(r),
            thresholds: ruleThresholdValues(r.name, { ...s.thresholds, ...own?.thresholds }),
          },
        ];
      }),
    ),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
