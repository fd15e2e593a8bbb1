import { readFile } from 'node:fs/promises';
import { parseDuration } from '../contract/duration.ts';
import { VerifyInputError } from './input/input-error.ts';
import { SEVERITIES, type Severity, type UserRule } from './types.ts';

/**
 * Reads `--rules FILE`: JSON, either an array of rules or `{"rules": [...]}`, each
 * `{"name", "pattern", "flags"?, "window"? ("60s"), "threshold"? (1), "severity"? ("error")}`.
 * A bad file is an input error naming the file and the field.
 */
export async function loadRulesFile(file: string): Promise<UserRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VerifyInputError('NOT_FOUND', file, `cannot read rules file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VerifyInputError('UNREADABLE', file, `rules file ${file} is not JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) throw new VerifyInputError('UNREADABLE', file, `rules file ${file} must hold an array of rules or {"rules": [...]}`);
  return list.map((raw, i) => toRule(raw, `${file}: rule ${i + 1}`));
}

function toRule(raw: unknown, where: string): UserRule {
  const bad = (what: string): never => {
    throw new VerifyInputError('UNREADABLE', where, `${where}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) bad('must be an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') bad('"name" must be a non-empty string');
  if (typeof r.pattern !== 'string' || r.pattern === '') bad('"pattern" must be a non-empty regular expression string');
  let pattern: RegExp;
  try {
    pattern = new RegExp(r.pattern as string, typeof r.flags === 'string' ? r.flags.replace(/[gy]/g, '') : '');
  } catch (err) {
    return bad(`"pattern" is not a valid regular expression (${(err as Error).message})`);
  }
  const windowMs = r.window === undefined ? 60_000 : parseDuration(String(r.window));
  if (windowMs === undefined) bad('"window" must be a duration such as 500ms, 60s or 2m');
  const threshold = r.threshold === undefined ? 1 : r.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1) bad('"threshold" must be a whole number of at least 1');
  const severity = r.severity === undefined ? 'error' : r.severity;
  if (!SEVERITIES.includes(severity as Severity)) bad(`"severity" must be one of ${SEVERITIES.join(', ')}`);
  return { name: r.name as string, pattern, windowMs: windowMs!, threshold: threshold as number, severity: severity as Severity };
}
