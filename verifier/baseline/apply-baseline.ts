import type { BaselineEntry, Finding, VerifyReport } from '../types.ts';
import { failsAt } from '../verify.ts';
import type { BaselineFile } from './baseline-file.ts';
import { fingerprint } from './fingerprint.ts';

/** How a run applies its baseline: the file's name (for reports), today's date and `--strict-baseline`. */
export interface BaselineRun {
  file: string;
  today: string;
  strict: boolean;
}

/**
 * Moves the findings an unexpired entry matches to `suppressed` and judges again. An expired entry
 * suppresses nothing, and its finding's message says so; entries that matched nothing are `unused`,
 * and fail the run under `strict`.
 */
export function applyBaseline(report: VerifyReport, baseline: BaselineFile, run: BaselineRun): VerifyReport {
  if (report.error) return report;
  const used = new Set<BaselineEntry>();
  const expired = new Set<BaselineEntry>();
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of report.findings) {
    const matches = baseline.entries.filter((e) => matchesEntry(f, e));
    for (const e of matches) used.add(e);
    const live = matches.filter((e) => !isExpired(e, run.today));
    if (live.length > 0) {
      suppressed.push(f);
      continue;
    }
    for (const e of matches) expired.add(e);
    findings.push(matches.length === 0 ? f : { ...f, message: `${f.message} (baseline entry expired ${matches[0]!.expires})` });
  }
  const unused = baseline.entries.filter((e) => !used.has(e));
  const judged = { ...report, findings, suppressed };
  const fails = failsAt(judged, report.failOn) || (run.strict && unused.length > 0);
  return {
    ...judged,
    verdict: fails ? 'fail' : 'pass',
    exitCode: fails ? 1 : 0,
    groups: report.groups.map((g) => {
      const own = findings.filter((f) => f.input === g.name);
      return { ...g, findings: own.length, verdict: failsAt({ ...judged, findings: own }, report.failOn) ? 'fail' : 'pass' };
    }),
    baseline: { file: run.file, entries: baseline.entries.length, suppressed: suppressed.length, expired: [...expired], unused, strict: run.strict },
  };
}

/**
 * `--update-baseline`: the entries kept (all, or with `prune` only those that matched a finding) and one
 * new entry per finding no entry matches, stamped with `expires` when given.
 */
export function updatedBaseline(report: VerifyReport, old: BaselineFile, opts: { prune: boolean; expires?: string }): BaselineFile {
  const all = [...report.findings, ...(report.suppressed ?? [])];
  const kept = old.entries.filter((e) => !opts.prune || all.some((f) => matchesEntry(f, e)));
  const added: BaselineEntry[] = [];
  for (const f of all) {
    if ([...kept, ...added].some((e) => matchesEntry(f, e))) continue;
    const entry: BaselineEntry = { rule: f.rule, fingerprint: fingerprint(f) };
    if (f.user !== undefined) entry.user = f.user;
    if (f.broker !== undefined) entry.broker = f.broker;
    if (opts.expires !== undefined) entry.expires = opts.expires;
    added.push(entry);
  }
  return { version: 1, entries: [...kept, ...added] };
}

function matchesEntry(f: Finding, e: BaselineEntry): boolean {
  return e.rule === f.rule && e.user === f.user && e.broker === f.broker && e.fingerprint === fingerprint(f);
}

function isExpired(e: BaselineEntry, today: string): boolean {
  return e.expires !== undefined && e.expires < today;
}
