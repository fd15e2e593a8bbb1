import type { Severity, VerifyReport } from '../types.ts';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** GitHub Actions workflow commands: one annotation per finding, at its first evidence line. */
export function renderGithub(report: VerifyReport): string {
  return report.findings
    .map((f) => {
      const [file, line] = splitRef(f.evidence[0]);
      const props = [`file=${prop(file)}`, line ? `line=${line}` : undefined, `title=${prop(`stormcheck ${f.rule}`)}`]
        .filter(Boolean)
        .join(',');
      const more = f.evidence.length > 1 ? ` (also ${f.evidence.slice(1).join(', ')})` : '';
      return `::${COMMAND[f.severity]} ${props}::${data(`${f.message}; count ${f.count}, ${f.first} .. ${f.last}${more}`)}\n`;
    })
    .join('');
}

function splitRef(ref: string | undefined): [string, string | undefined] {
  if (!ref) return ['', undefined];
  const i = ref.lastIndexOf(':');
  return i > 0 ? [ref.slice(0, i), ref.slice(i + 1)] : [ref, undefined];
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
