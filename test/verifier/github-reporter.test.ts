import { describe, expect, it } from 'vitest';
import { renderGithub } from '../../verifier/reporters/github.ts';
import { DEFAULT_OPTIONS, errorReport, type Finding, type Severity, type VerifyReport } from '../../verifier/index.ts';

function finding(severity: Severity, count: number): Finding {
  return { rule: `r-${severity}-${count}`, severity, message: 'm', count, first: 'a', last: 'b', input: 'app.log', evidence: [{ file: 'app.log', line: count }], docsUrl: 'u' };
}

function reportOf(findings: Finding[], skipped = 0): VerifyReport {
  const base = errorReport({ code: 'X', file: '', message: '' }, DEFAULT_OPTIONS);
  delete base.error;
  return { ...base, verdict: 'fail', exitCode: 1, findings, skipped: Array.from({ length: skipped }, (_, i) => ({ file: `s${i}.log`, reason: 'empty' })) };
}

const kinds = (out: string) => out.trimEnd().split('\n').map((l) => /^::(\w+)/.exec(l)![1]);

describe('--reporter github within GitHub limits', () => {
  it('writes every finding when all fit, with no closing notice', () => {
    const out = [...renderGithub(reportOf([finding('error', 1), finding('warning', 1), finding('info', 1)], 1))].join('');
    expect(kinds(out)).toEqual(['error', 'warning', 'notice', 'notice']);
    expect(out).not.toContain('more finding(s)');
  });

  it('fills the notices left after skipped inputs with info findings, keeping one for the count of the rest', () => {
    const infos = Array.from({ length: 12 }, (_, i) => finding('info', i + 1));
    const out = [...renderGithub(reportOf([finding('error', 1), ...infos], 1))].join('');
    expect(kinds(out).filter((k) => k === 'notice')).toHaveLength(10);
    expect(out.trimEnd().split('\n').at(-1)).toBe('::notice title=stormcheck verify::… and 4 more finding(s): see the job summary');
    // The most important info findings are the ones with the most lines.
    expect(out).toContain('line=12,');
    expect(out).not.toContain('line=4,');
  });
});
