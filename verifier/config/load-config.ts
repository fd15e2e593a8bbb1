import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { nearestName } from '../../contract/nearest-name.ts';
import { parseDuration } from '../../contract/duration.ts';
import { UsageError } from '../../contract/usage-error.ts';
import { REPORTER_NAMES } from '../reporters/index.ts';
import { RULE_CATALOG } from '../rules/index.ts';
import { ruleThresholds } from '../rules/threshold-text.ts';
import type { ThresholdSpec } from '../rules/thresholds.ts';
import { SEVERITIES, type RuleSetting, type Severity, type Thresholds } from '../types.ts';
import { CONFIG_FILE_NAME, CONFIG_KEYS, RULE_LEVELS } from './config-schema.ts';

/** stormcheck.config.json, checked, with its paths resolved against its own folder. */
export interface StormcheckConfig {
  file: string;
  inputs?: string[];
  reporters?: string[];
  failOn?: Severity;
  rulesFile?: string;
  rules: Record<string, RuleSetting>;
}

/** The nearest stormcheck.config.json from `dir` upward, or undefined. */
export async function findConfig(dir: string): Promise<string | undefined> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, CONFIG_FILE_NAME);
    if (await access(candidate).then(() => true, () => false)) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}

/** Reads and checks a config file; any mistake is a UsageError naming the key and the nearest valid one. */
export async function loadConfig(file: string): Promise<StormcheckConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${file} is not JSON: ${(err as Error).message}`);
  }
  return checkConfig(doc, file);
}

/** Checks a parsed config document; exported for the tests that compare it with the shipped schema. */
export function checkConfig(doc: unknown, file: string): StormcheckConfig {
  const bad = (where: string, what: string): never => {
    throw new UsageError(`${file}: ${where}: ${what}`);
  };
  const top = objectAt(doc, 'the top level', bad);
  knownKeys(top, CONFIG_KEYS, '', bad);
  const dir = path.dirname(path.resolve(file));
  const config: StormcheckConfig = { file: path.resolve(file), rules: {} };
  if (top.inputs !== undefined) config.inputs = stringsAt(top.inputs, 'inputs', bad).map((p) => path.resolve(dir, p));
  if (top.reporters !== undefined) {
    config.reporters = stringsAt(top.reporters, 'reporters', bad).map((spec) => {
      const [name, ...file] = spec.split('=');
      const reporter = oneOf(name, REPORTER_NAMES, 'reporters', bad);
      if (file.length === 0) return reporter;
      if (file.join('=') === '') bad('reporters', `name a file after =, e.g. ${reporter}=report.out`);
      return `${reporter}=${path.resolve(dir, file.join('='))}`;
    });
  }
  if (top.failOn !== undefined) config.failOn = oneOf(top.failOn, SEVERITIES, 'failOn', bad);
  if (top.rulesFile !== undefined) {
    if (typeof top.rulesFile !== 'string' || top.rulesFile === '') bad('rulesFile', 'must be the path of a rules file');
    config.rulesFile = path.resolve(dir, top.rulesFile as string);
  }
  if (top.rules !== undefined) {
    const rules = objectAt(top.rules, 'rules', bad);
    knownKeys(rules, RULE_CATALOG.map((r) => r.name), 'rules.', bad);
    for (const [name, value] of Object.entries(rules)) config.rules[name] = ruleSetting(name, value, bad);
  }
  return config;
}

function ruleSetting(name: string, value: unknown, bad: (where: string, what: string) => never): RuleSetting {
  const where = `rules.${name}`;
  if (typeof value === 'string') return { severity: oneOf(value, RULE_LEVELS, where, bad) };
  const o = objectAt(value, where, bad);
  knownKeys(o, ['severity', 'thresholds'], `${where}.`, bad);
  const setting: RuleSetting = {};
  if (o.severity !== undefined) setting.severity = oneOf(o.severity, RULE_LEVELS, `${where}.severity`, bad);
  if (o.thresholds !== undefined) {
    const t = objectAt(o.thresholds, `${where}.thresholds`, bad);
    const specs = ruleThresholds(name);
    const names = specs.map((s) => s.name);
    if (names.length === 0 && Object.keys(t).length > 0) bad(`${where}.thresholds`, `${name} has no thresholds (stormcheck rules ${name})`);
    knownKeys(t, names, `${where}.thresholds.`, bad);
    const thresholds: Partial<Thresholds> = {};
    for (const spec of specs) {
      const raw = t[spec.name];
      if (raw !== undefined) thresholds[spec.key] = thresholdValue(spec, raw, `${where}.thresholds.${spec.name}`, bad);
    }
    setting.thresholds = thresholds;
  }
  return setting;
}

function thresholdValue(spec: ThresholdSpec, raw: unknown, where: string, bad: (where: string, what: string) => never): number {
  if (spec.unit === 'duration') {
    // A bare number would be read as milliseconds; in a file someone else edits, say the unit.
    const ms = typeof raw === 'string' && /[a-z]$/.test(raw.trim()) ? parseDuration(raw) : undefined;
    return ms ?? bad(where, `${JSON.stringify(raw)} is not a duration with its unit, such as 500ms, 60s or 2m`);
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) bad(where, `${JSON.stringify(raw)} is not a whole number of at least 1`);
  return raw as number;
}

function objectAt(value: unknown, where: string, bad: (where: string, what: string) => never): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(where, 'must be an object');
  return value as Record<string, unknown>;
}

function stringsAt(value: unknown, where: string, bad: (where: string, what: string) => never): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) bad(where, 'must be an array of non-empty strings');
  return value as string[];
}

function knownKeys(o: Record<string, unknown>, valid: readonly string[], prefix: string, bad: (where: string, what: string) => never): void {
  for (const key of Object.keys(o)) {
    if (!valid.includes(key)) bad(`${prefix}${key}`, `unknown key "${key}"; did you mean "${nearestName(key, valid)}"?`);
  }
}

function oneOf<T extends string>(value: unknown, valid: readonly T[], where: string, bad: (where: string, what: string) => never): T {
  if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as T;
  const typed = String(value);
  return bad(where, `${JSON.stringify(value)} is not one of ${valid.join(', ')}; did you mean "${nearestName(typed, valid)}"?`);
}
