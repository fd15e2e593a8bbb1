import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';
import { errorsJsonl } from '../support/log-shapes.ts';

const tmp = tempDirPerTest();
const CHURN = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;

/**
 * 13 error and 12 warning pattern rules; rule N matches N lines, so its finding's count is N and the
 * most important findings are the ones with the highest N.
 */
async function twentyFiveFindings(): Promise<{ log: string; rules: string }> {
  const rules = Array.from({ length: 25 }, (_, i) => ({ name: `r${i + 1}`, pattern: `^mark r${i + 1}$`, severity: i < 13 ? 'error' : 'warning' }));
  const lines = rules.flatMap((r, i) => Array.from({ length: (i % 13) + 1 }, (_, k) => oa(i * 1000 + k, `mark ${r.name}`)));
  return { log: await tmp.file('app.log', `${lines.join('\n')}\n`), rules: await tmp.file('rules.json', JSON.stringify(rules)) };
}

describe('--reporter github within GitHub limits', () => {
  it("shows the notice that OpenAlgo's errors.jsonl alone cannot judge creation and churn, as the text and HTML reports do", async () => {
    const log = await tmp.file('errors.jsonl', `${[0, 1_500, 3_000].map((t) => errorsJsonl(t, 'Angel WebSocket error: Handshake status 429 Too Many Requests')).join('\n')}\n`);
    const { stdout } = await stormcheck(['verify', log, '--reporter', 'github']);
    const notice = stdout.split('\n').find((l) => l.startsWith(`::notice file=${log},title=stormcheck verify::`));
    expect(notice).toContain(`${log}: OpenAlgo's log/errors.jsonl holds ERROR lines only: adapter creation, teardown and churn`);
    const full = await stormcheck(['verify', CHURN, '--reporter', 'github']);
    expect(full.stdout).not.toContain('errors.jsonl');
  });

  it('25 findings give the 10 most important errors, the 10 most important warnings and one notice for the rest', async () => {
    const { log, rules } = await twentyFiveFindings();
    const { code, stdout } = await stormcheck(['verify', log, '--rules', rules, '--reporter', 'github']);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    const errors = lines.filter((l) => l.startsWith('::error '));
    const warnings = lines.filter((l) => l.startsWith('::warning '));
    expect(errors).toHaveLength(10);
    expect(warnings).toHaveLength(10);
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('::notice title=stormcheck verify::… and 5 more finding(s): see the job summary');
    const counts = (ls: string[]) => ls.map((l) => Number(/count (\d+),/.exec(l)![1]));
    expect(counts(errors)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect(counts(warnings)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
  });

  it('writes a Markdown job summary to GITHUB_STEP_SUMMARY, after what earlier steps wrote', async () => {
    const summary = path.join(tmp.dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const { code } = await stormcheck(['verify', CHURN, '--reporter', 'github'], { env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
    expect(code).toBe(1);
    const md = await readFile(summary, 'utf8');
    expect(md).toMatch(/^# earlier step\n## stormcheck verify: FAIL\n/);
    expect(md).toMatch(/\| \[`adapter-burst`\]\(https:\/\/\S+\/docs\/rules\.md#adapter-burst\) \| 1 \| 0 \| 0 \| 0 \|/);
    expect(md).toMatch(/\| error \| \[`adapter-burst`\]\(\S+\) \| user [^|]+ \| \d+ \| `\S*docker-churn\.log:\d+` \| /);
    expect(md).toMatch(/\[rules\]\(https:\/\/\S+\/docs\/rules\.md\)/);
  });

  it('--reporter summary=FILE writes the same Markdown anywhere, e.g. for GitLab', async () => {
    const file = path.join(tmp.dir, 'summary.md');
    expect((await stormcheck(['verify', CHURN, '--reporter', `summary=${file}`], { env: { ...process.env, GITHUB_STEP_SUMMARY: '' } })).code).toBe(1);
    expect(await readFile(file, 'utf8')).toContain('## stormcheck verify: FAIL');
  });
});
