import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../../contract/usage-error.ts';
import type { BaselineEntry } from '../types.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The file `--baseline` reads and `--update-baseline` writes (docs/ci.md#baseline). */
export interface BaselineFile {
  version: 1;
  entries: BaselineEntry[];
}

/** `YYYY-MM-DD` that is a real date, or undefined. */
export function checkedDate(text: string): string | undefined {
  if (!DATE.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text) ? text : undefined;
}

/** Reads a baseline; `missingOk` gives an empty one for a file not there yet (`--update-baseline`). */
export async function readBaseline(file: string, missingOk = false): Promise<BaselineFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (missingOk && code === 'ENOENT') return { version: 1, entries: [] };
    throw new UsageError(`cannot read baseline ${file}: ${code ?? String(err)}; create it with --update-baseline ${file}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`baseline ${file} is not JSON: ${(err as Error).message}`);
  }
  const entries = (doc as { entries?: unknown })?.entries;
  if ((doc as { version?: unknown })?.version !== 1 || !Array.isArray(entries)) {
    throw new UsageError(`baseline ${file} must be {"version": 1, "entries": [...]}, as --update-baseline writes it`);
  }
  return { version: 1, entries: entries.map((e, i) => checkEntry(e, `${file}: entry ${i + 1}`)) };
}

export async function writeBaseline(file: string, baseline: BaselineFile): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (err) {
    throw new UsageError(`cannot write baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function checkEntry(raw: unknown, where: string): BaselineEntry {
  const e = raw as Record<string, unknown>;
  const bad = (what: string): never => {
    throw new UsageError(`${where}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) bad('must be an object');
  if (typeof e.rule !== 'string' || e.rule === '') bad('"rule" must be a rule name');
  if (typeof e.fingerprint !== 'string' || e.fingerprint === '') bad('"fingerprint" must be the string --update-baseline wrote');
  for (const key of ['user', 'broker'] as const) if (e[key] !== undefined && typeof e[key] !== 'string') bad(`"${key}" must be a string`);
  if (e.expires !== undefined && (typeof e.expires !== 'string' || !checkedDate(e.expires))) bad('"expires" must be a date, YYYY-MM-DD');
  const entry: BaselineEntry = { rule: e.rule as string, fingerprint: e.fingerprint as string };
  if (e.user !== undefined) entry.user = e.user as string;
  if (e.broker !== undefined) entry.broker = e.broker as string;
  if (e.expires !== undefined) entry.expires = e.expires as string;
  return entry;
}
