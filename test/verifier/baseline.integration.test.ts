import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const CHURN = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;
const HEALTHY = new URL('../../fixtures/logs/healthy-2025.log', import.meta.url).pathname;
const tmp = tempDirPerTest();

describe('verify --baseline', () => {
  it('--update-baseline accepts today\'s findings; the next run passes with them counted as suppressed in every reporter', async () => {
    const file = path.join(tmp.dir, 'baseline.json');
    const update = await stormcheck(['verify', CHURN, '--update-baseline', file, '--expires', '2999-12-31']);
    expect(update.code).toBe(0);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.entries.map((e: { rule: string }) => e.rule)).toEqual(['adapter-burst', 'adapter-churn']);
    expect(written.entries.every((e: { expires: string }) => e.expires === '2999-12-31')).toBe(true);

    const junit = path.join(tmp.dir, 'verify.xml');
    const { code, stdout } = await stormcheck(['verify', CHURN, '--baseline', file, '--reporter', 'json', '--reporter', `junit=${junit}`]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report).toMatchObject({ verdict: 'pass', findings: [], baseline: { suppressed: 2, unused: [], expired: [] } });
    expect(report.suppressed!.map((f) => f.rule)).toEqual(['adapter-burst', 'adapter-churn']);
    expect(await readFile(junit, 'utf8')).toMatch(/name="baseline">\s*<system-out>baseline \S+: 2 finding\(s\) suppressed/);
    expect((await stormcheck(['verify', CHURN, '--baseline', file])).stdout).toContain('2 finding(s) suppressed');
    const github = await stormcheck(['verify', CHURN, '--baseline', file, '--reporter', 'github', '--reporter', `summary=${path.join(tmp.dir, 'summary.md')}`]);
    expect(github.stdout).toMatch(/^::notice title=stormcheck verify::baseline \S+: 2 finding\(s\) suppressed/m);
    expect(await readFile(path.join(tmp.dir, 'summary.md'), 'utf8')).toMatch(/\| \[`adapter-burst`\]\(\S+\) \| 0 \| 0 \| 0 \| 1 \|/);
  });

  it('an expired entry fails again and says it expired', async () => {
    const file = path.join(tmp.dir, 'baseline.json');
    const { code, stdout } = await stormcheck(['verify', CHURN, '--update-baseline', file, '--expires', '2020-01-01']);
    expect(code).toBe(1);
    expect(stdout).toContain('baseline entry expired on 2020-01-01, no longer suppresses: adapter-burst');
    expect(stdout).toContain('(baseline entry expired 2020-01-01)');
    expect((await stormcheck(['verify', CHURN, '--baseline', file])).code).toBe(1);
  });

  it('reports an unused entry, fails on it under --strict-baseline, and --prune-baseline drops it', async () => {
    const file = path.join(tmp.dir, 'baseline.json');
    await stormcheck(['verify', CHURN, '--update-baseline', file]);
    const lax = await stormcheck(['verify', HEALTHY, '--baseline', file]);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toContain('baseline entry matched no finding: adapter-burst');
    const strict = await stormcheck(['verify', HEALTHY, '--baseline', file, '--strict-baseline', '--reporter', 'junit']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/<testcase classname="stormcheck.verify" name="baseline">\s*<failure type="unused-baseline-entry"/);
    expect((await stormcheck(['verify', HEALTHY, '--update-baseline', file, '--prune-baseline'])).code).toBe(0);
    const kept = JSON.parse(await readFile(file, 'utf8')).entries.map((e: { rule: string }) => e.rule);
    expect(kept).not.toContain('adapter-burst');
    expect(kept).not.toContain('adapter-churn');
  });

  it('a bad date, a missing baseline or --expires without --update-baseline is a usage error', async () => {
    const bad = await stormcheck(['verify', CHURN, '--update-baseline', path.join(tmp.dir, 'b.json'), '--expires', '2026-13-01']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--expires 2026-13-01 is not a date; use YYYY-MM-DD')]);
    const missing = await stormcheck(['verify', CHURN, '--baseline', path.join(tmp.dir, 'none.json')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/cannot read baseline .*none\.json: ENOENT; create it with --update-baseline/)]);
    const alone = await stormcheck(['verify', CHURN, '--expires', '2026-12-01']);
    expect([alone.code, alone.stderr]).toEqual([2, expect.stringContaining('--expires applies to the entries --update-baseline FILE writes')]);
  });
});
