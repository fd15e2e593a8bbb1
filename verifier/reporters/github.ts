import { baselineLine } from '../baseline/baseline-text.ts';
import { SEVERITIES, type Finding, type Severity, type VerifyReport } from '../types.ts';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };
/**
 * GitHub shows at most 10 annotations of each kind per step and drops the rest without a word
 * (docs.github.com, workflow commands); one notice is kept back to say how many were left out.
 */
const CAP = 10;
const TITLE = 'stormcheck verify';

/**
 * GitHub Actions workflow commands within GitHub's limits: the 10 most important errors and the 10 most
 * important warnings (by severity, then count), notices for what an input cannot judge, skipped inputs, the baseline and info
 * findings as room allows, and a last `::notice` saying how many findings have no annotation. An input
 * error that stopped the run is one `::error::`.
 */
export function* renderGithub(report: VerifyReport): Generator<string, void, undefined> {
  if (report.error) {
    const file = report.error.file ? `file=${prop(report.error.file)},` : '';
    yield `::error ${file}title=${prop(TITLE)}::${data(report.error.message)}\n`;
    return;
  }
  const ranked = report.findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || b.f.count - a.f.count || a.i - b.i)
    .map(({ f }) => f);
  const notices = [
    // What an input cannot show comes first: it says what the verdict does not cover.
    ...report.groups.filter((g) => g.cannotJudge).map((g) => `::notice file=${prop(g.files[0] ?? g.name)},title=${prop(TITLE)}::${data(`${g.name}: ${g.cannotJudge}`)}\n`),
    ...report.skipped.map((s) => `::notice file=${prop(s.file)},title=${prop(TITLE)}::${data(`${s.file}: ${s.reason}`)}\n`),
    ...(report.baseline ? [`::notice title=${prop(TITLE)}::${data(baselineLine(report.baseline))}\n`] : []),
  ];
  const of = (severity: Severity) => ranked.filter((f) => f.severity === severity);
  const [errors, warnings, infos] = [of('error'), of('warning'), of('info')];
  const allFit = errors.length <= CAP && warnings.length <= CAP && infos.length <= CAP - notices.length;
  // When something is left out, one notice is kept for saying so.
  const noticeRoom = CAP - (allFit ? 0 : 1);
  const shown = [...errors.slice(0, CAP), ...warnings.slice(0, CAP), ...infos.slice(0, Math.max(0, noticeRoom - notices.length))];
  const omitted = report.findings.length + report.omitted.findings - shown.length;
  const more = omitted > 0 ? [`::notice title=${prop(TITLE)}::${data(`… and ${omitted} more finding(s): see the job summary`)}\n`] : [];
  // One workflow command a chunk: each ends with its newline.
  yield* shown.map(annotation);
  yield* unreadableWarning(report);
  yield* notices.slice(0, noticeRoom);
  yield* more;
}

/** Entries skipped under `--skip-unreadable`, counted in one warning (the verdict covers only the rest). */
function unreadableWarning(report: VerifyReport): string[] {
  if (report.unreadableCount === 0) return [];
  const listed = report.unreadable.map((u) => `${u.file}: ${u.reason}`).join('; ');
  return [`::warning title=${prop(TITLE)}::${data(`${report.unreadableCount} unreadable skipped (--skip-unreadable): ${listed}`)}\n`];
}

function annotation(f: Finding): string {
  const at = f.evidence[0];
  const props = [at ? `file=${prop(at.file)},line=${at.line}` : undefined, `title=${prop(`stormcheck ${f.rule}`)}`].filter(Boolean).join(',');
  const also = f.evidence.length > 1 ? ` (also ${f.evidence.slice(1).map((e) => `${e.file}:${e.line}`).join(', ')})` : '';
  return `::${COMMAND[f.severity]} ${props}::${data(`${f.message}; count ${f.count}, ${f.first} .. ${f.last}${also}; docs: ${f.docsUrl}`)}\n`;
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
