import { describe, expect, it } from 'vitest';
import { applyBaseline, updatedBaseline } from '../../verifier/baseline/apply-baseline.ts';
import { checkedDate } from '../../verifier/baseline/baseline-file.ts';
import { fingerprint } from '../../verifier/baseline/fingerprint.ts';
import { verifyPaths, type VerifyReport } from '../../verifier/index.ts';
import { oa, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();
const create = (ms: number, user: string) => oa(ms, `Creating NEW angel adapter for user ${user}`, 'INFO', 'broker_factory');
const burst = (user: string, at = 0) => [create(at, user), create(at + 1000, user), create(at + 2000, user)];

async function judge(lines: string[], name = 'openalgo.log'): Promise<VerifyReport> {
  return verifyPaths([await tmp.file(name, `${lines.join('\n')}\n`)]);
}

const run = { file: 'baseline.json', today: '2026-06-01', strict: false };

describe('baseline fingerprints', () => {
  it('do not change with line numbers, times, counts or the folder and rotation of the log', async () => {
    const [a] = (await judge(burst('alice'))).findings;
    const [b] = (await judge(['noise', 'more noise', ...burst('alice', 3_600_000), create(3_603_000, 'alice')])).findings;
    expect(a!.evidence[0]!.line).not.toBe(b!.evidence[0]!.line);
    expect(fingerprint(a!)).toBe(fingerprint(b!));
    expect(fingerprint({ ...a!, input: '/var/log/old/openalgo.log.2.gz' })).toBe(fingerprint(a!));
  });

  it('tell users, rules and logs apart', async () => {
    const [alice, bob] = (await judge([...burst('alice'), ...burst('bob', 100_000)])).findings;
    expect(fingerprint(alice!)).not.toBe(fingerprint(bob!));
    expect(fingerprint({ ...alice!, input: 'other.log' })).not.toBe(fingerprint(alice!));
  });
});

describe('applying a baseline', () => {
  it('suppresses matched findings, keeps them counted, and passes', async () => {
    const report = await judge([...burst('alice'), ...burst('bob', 100_000)]);
    const all = updatedBaseline(report, { version: 1, entries: [] }, { prune: false });
    expect(report.findings.length).toBeGreaterThanOrEqual(2);
    expect(all.entries.map((e) => `${e.rule} ${e.user}`)).toEqual(report.findings.map((f) => `${f.rule} ${f.user}`));
    const judged = applyBaseline(report, all, run);
    expect(judged).toMatchObject({ verdict: 'pass', exitCode: 0, findings: [], baseline: { suppressed: report.findings.length, unused: [], expired: [] } });
    expect(judged.suppressed).toEqual(report.findings);
    expect(judged.groups[0]).toMatchObject({ verdict: 'pass', findings: 0 });
  });

  it('an expired entry suppresses nothing and the finding says so; today is still within the date', async () => {
    const report = await judge(burst('alice'));
    const stamped = (expires: string) => updatedBaseline(report, { version: 1, entries: [] }, { prune: false, expires });
    const expired = applyBaseline(report, stamped('2026-05-31'), run);
    expect(expired).toMatchObject({ verdict: 'fail', exitCode: 1, baseline: { suppressed: 0, unused: [] } });
    expect(expired.baseline!.expired).toHaveLength(report.findings.length);
    expect(expired.findings[0]!.message).toMatch(/\(baseline entry expired 2026-05-31\)$/);
    expect(applyBaseline(report, stamped('2026-06-01'), run).verdict).toBe('pass');
  });

  it('reports unused entries, fails on them only when strict, and --prune-baseline drops them', async () => {
    const old = updatedBaseline(await judge(burst('alice')), { version: 1, entries: [] }, { prune: false });
    const clean = await judge([oa(0, 'Connected to Angel WebSocket')]);
    expect(applyBaseline(clean, old, run)).toMatchObject({ verdict: 'pass', baseline: { unused: old.entries } });
    expect(applyBaseline(clean, old, { ...run, strict: true })).toMatchObject({ verdict: 'fail', exitCode: 1 });
    expect(updatedBaseline(clean, old, { prune: true }).entries).toEqual([]);
    expect(updatedBaseline(clean, old, { prune: false }).entries).toEqual(old.entries);
  });

  it('accepts only real dates', () => {
    expect(checkedDate('2026-02-28')).toBe('2026-02-28');
    expect(checkedDate('2026-02-30')).toBeUndefined();
    expect(checkedDate('31/12/2026')).toBeUndefined();
  });
});
