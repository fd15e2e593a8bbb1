import { UsageError } from '../../contract/usage-error.ts';
import type { VerifyReport } from '../types.ts';
import { applyBaseline, updatedBaseline } from './apply-baseline.ts';
import { checkedDate, readBaseline, writeBaseline, type BaselineFile } from './baseline-file.ts';

/** The baseline options of one verify run, as given. */
export interface BaselineFlags {
  baseline?: string;
  updateBaseline?: string;
  expires?: string;
  pruneBaseline: boolean;
  strictBaseline: boolean;
}

/** A checked baseline plan: the entries read before any log is, and what to do with them after. */
export interface BaselinePlan {
  flags: BaselineFlags;
  old: BaselineFile;
}

/** Checks the options and reads the baseline, so a mistake exits 2 before any log is read. */
export async function planBaseline(flags: BaselineFlags): Promise<BaselinePlan | undefined> {
  const update = flags.updateBaseline;
  if (update === undefined) {
    for (const [given, name] of [[flags.expires !== undefined, '--expires'], [flags.pruneBaseline, '--prune-baseline']] as const) {
      if (given) throw new UsageError(`${name} applies to the entries --update-baseline FILE writes; add --update-baseline`);
    }
  }
  if (flags.expires !== undefined && !checkedDate(flags.expires)) throw new UsageError(`--expires ${flags.expires} is not a date; use YYYY-MM-DD, e.g. 2026-12-31`);
  if (flags.baseline === undefined && update === undefined) {
    if (flags.strictBaseline) throw new UsageError('--strict-baseline needs a baseline: add --baseline FILE');
    return undefined;
  }
  return { flags, old: await readBaseline((flags.baseline ?? update)!, flags.baseline === undefined) };
}

/** Writes the updated baseline when asked, then judges the report against it. */
export async function judgeWithBaseline(report: VerifyReport, plan: BaselinePlan, today: string): Promise<VerifyReport> {
  if (report.error) return report;
  const { flags } = plan;
  let entries = plan.old;
  if (flags.updateBaseline !== undefined) {
    entries = updatedBaseline(report, plan.old, { prune: flags.pruneBaseline, expires: flags.expires });
    await writeBaseline(flags.updateBaseline, entries);
  }
  return applyBaseline(report, entries, { file: (flags.updateBaseline ?? flags.baseline)!, today, strict: flags.strictBaseline });
}
