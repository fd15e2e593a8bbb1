import { styleText } from 'node:util';
import { baselineEntryLines, baselineLine } from '../baseline/baseline-text.ts';
import { printableName } from '../printable-name.ts';
import { line, lines } from './document-lines.ts';
import type { Finding, Severity, VerifyReport } from '../types.ts';

const MAX_TIMELINE_ROWS = 120;
const COLOUR = { error: 'red', warning: 'yellow', info: 'cyan', dim: 'dim' } as const satisfies Record<Severity | 'dim', Parameters<typeof styleText>[0]>;

/**
 * The human report: a summary line, skipped inputs, each finding with its evidence, then the
 * per-minute timeline, a line at a time. An input error is printed by the CLI on stderr, so it renders
 * nothing here.
 */
export function* renderText(report: VerifyReport, opts: { colour: boolean }): Generator<string, void, undefined> {
  if (report.error && report.unreadableCount === 0) return;
  // The caller has already decided (wantsColour); styleText must not second-guess it from process.stdout.
  const paint = (c: keyof typeof COLOUR, s: string) => (opts.colour ? styleText(COLOUR[c], s, { validateStream: false }) : s);
  const by = (s: Severity) => report.findingCounts[s];
  const several = report.groups.length > 1;
  const o = report.omitted;
  yield line(
    `stormcheck verify: ${by('error') + by('warning') + by('info')} finding(s) — ${by('error')} error, ${by('warning')} warning, ${by('info')} info — ` +
      `in ${report.linesRead} lines from ${report.inputs.length + o.inputs} input(s) ` +
      `(${report.linesRecognised} records, ${report.linesUnrecognised} unrecognised, ${report.linesTruncated} truncated, ${report.linesUndecodable} undecodable)`,
  );
  if (report.window) {
    const w = report.window;
    yield line(`  window ${w.since ?? 'start'} .. ${w.until ?? 'end'}: ${w.linesOutside} line(s) outside it skipped`);
  }
  if (report.baseline) yield lines([`  ${baselineLine(report.baseline)}`, ...baselineEntryLines(report.baseline).map((l) => `  ${l}`)]);
  if (several) for (const g of report.groups) yield line(`  ${g.verdict.toUpperCase()} ${printableName(g.name)}: ${g.findings} finding(s)`);
  for (const g of report.groups) if (g.cannotJudge) yield line(`  ${printableName(g.name)}: ${g.cannotJudge}`);
  for (const s of report.skipped) yield line(`  skipped ${printableName(s.file)}: ${s.reason}`);
  for (const u of report.unreadable) yield line(`  unreadable ${printableName(u.file)}: ${u.reason}`);
  if (report.unreadableCount > report.unreadable.length) yield line(`  … ${report.unreadableCount - report.unreadable.length} more unreadable; --reporter json lists the first ${report.unreadable.length}`);
  if (report.unreadableCount > 0) {
    yield line(
      report.error
        ? `  ${report.unreadableCount} unreadable: the run cannot pass; fix the access or pass --skip-unreadable`
        : `  ${report.unreadableCount} unreadable skipped (--skip-unreadable): the verdict covers only what was read`,
    );
  }
  for (const input of report.inputs) {
    for (const r of input.rotations ?? []) {
      yield line(`  ${printableName(input.name)} was ${r.kind} after ${r.afterBytes} bytes${r.mayHaveMissedLines ? '; lines written just before may be missed' : ''}`);
    }
  }
  if (o.groups + o.skipped > 0) yield line(`  … ${o.groups} more input group(s) and ${o.skipped} more skipped file(s) summarised in the counts above`);
  for (const f of report.findings) yield lines(['', ...renderFinding(f, several, paint)]);
  if (o.findings > 0) yield lines(['', `… ${o.findings} more finding(s) summarised in the counts above (the ${report.findings.length} most severe are listed)`]);
  yield line('');
  yield* renderTimeline(report);
}

function renderFinding(f: Finding, named: boolean, paint: (c: keyof typeof COLOUR, s: string) => string): string[] {
  const who = [f.user !== undefined ? `user ${f.user}` : undefined, f.broker !== undefined ? `broker ${f.broker}` : undefined]
    .filter(Boolean)
    .join(', ');
  const kind = f.stormKind ? `  [${f.stormKind}]` : '';
  const input = named ? `  in ${printableName(f.input)}` : '';
  return [
    `${paint(f.severity, f.severity.toUpperCase().padEnd(7))} ${f.rule}  ${who}  count ${f.count}  ${f.first} .. ${f.last}${kind}${input}`,
    `        ${f.message}`,
    `        ${paint('dim', `evidence: ${f.evidence.map((e) => `${printableName(e.file)}:${e.line}`).join(', ')}`)}`,
    `        ${paint('dim', `docs: ${f.docsUrl}`)}`,
  ];
}

function* renderTimeline(report: VerifyReport): Generator<string, void, undefined> {
  if (report.timeline.length === 0) {
    yield line('Timeline: no adapter creations, connection attempts, 429s or teardowns.');
    return;
  }
  const rows = report.timeline.slice(0, MAX_TIMELINE_ROWS);
  yield lines(['Timeline (per minute)', 'minute             creations  attempts   429s  teardowns']);
  for (const m of rows) {
    yield line(
      `${m.minute}  ${String(m.creations).padStart(9)}  ${String(m.attempts).padStart(8)}  ${String(m.refusals).padStart(5)}  ${String(m.teardowns).padStart(9)}`,
    );
  }
  if (report.timeline.length > rows.length) {
    yield line(`… ${report.timeline.length - rows.length} more minute(s); --reporter json lists them all`);
  }
}
