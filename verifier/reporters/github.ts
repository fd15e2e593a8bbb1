import type { Severity, VerifyReport } from '../types.ts';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * GitHub Actions workflow commands: one annotation per finding at its first evidence line, a notice
 * per skipped input, and an `::error::` for an input error that stopped the run.
 */
export function renderGithub(report: VerifyReport): string {
  if (report.error) {
    const file = report.error.file ? `file=${prop(report.error.file)},` : '';
    return `::error ${file}title=${prop('stormcheck verify')}::${data(report.error.message)}\n`;
  }
  const skipped = report.skipped.map((s) => `::notice file=${prop(s.file)},title=${prop('stormcheck verify')}::${data(`${s.file}: ${s.reason}`)}\n`);
  const findings = report.findings.map((f) => {
    const at = f.evidence[0];
    const props = [at ? `file=${prop(at.file)},line=${at.line}` : undefined, `title=${prop(`stormcheck ${f.rule}`)}`].filter(Boolean).join(',');
    const more = f.evidence.length > 1 ? ` (also ${f.evidence.slice(1).map((e) => `${e.file}:${e.line}`).join(', ')})` : '';
    return `::${COMMAND[f.severity]} ${props}::${data(`${f.message}; count ${f.count}, ${f.first} .. ${f.last}${more}; docs: ${f.docsUrl}`)}\n`;
  });
  return [...findings, ...skipped].join('');
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
