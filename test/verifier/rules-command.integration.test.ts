import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { stormcheck } from '../support/run-stormcheck.ts';

const FIXTURES = new URL('../../fixtures/logs/', import.meta.url).pathname;

describe('stormcheck rules', () => {
  it('lists exactly the rules verify reports: each fires on a fixture, verify reports no other, JUnit has one testcase each', async () => {
    const listed = await stormcheck(['rules', '--json']);
    expect(listed.code).toBe(0);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((r) => r.name);

    const json = await stormcheck(['verify', FIXTURES, '--reporter', 'json', '--fail-on', 'info']);
    const report = JSON.parse(json.stdout) as VerifyReport;
    expect(new Set(report.findings.map((f) => f.rule))).toEqual(new Set(names));

    const junit = await stormcheck(['verify', `${FIXTURES}/healthy-2025.log`, '--reporter', 'junit']);
    expect([...junit.stdout.matchAll(/<testcase classname="stormcheck.verify" name="([^"]+)"/g)].map((m) => m[1])).toEqual(names);
  });

  it('gives every finding its rule docs URL', async () => {
    const { stdout } = await stormcheck(['verify', `${FIXTURES}/incident.log`, '--reporter', 'json']);
    for (const f of (JSON.parse(stdout) as VerifyReport).findings) expect(f.docsUrl).toMatch(new RegExp(`/docs/rules\\.md#${f.rule}$`));
  });

  it('lists each rule with its default severity, thresholds and one line', async () => {
    const { code, stdout } = await stormcheck(['rules']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^adapter-burst\s+error\s+--window 60s, --burst 2\s+\S/m);
    expect(stdout).toMatch(/^rest-rate-limit\s+warning\s+—/m);
  });

  it('shows each threshold as something verify accepts: its own flag, or --threshold NAME=VALUE', async () => {
    const { stdout } = await stormcheck(['rules']);
    expect(stdout).toMatch(/^connect-storm\s+error\s+--storm 5, --threshold storm-span=1s\s+\S/m);
    const shown = [...stdout.matchAll(/(--threshold [a-z-]+=\S+?|--[a-z-]+ \S+?)(?=,|\s{2})/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(10);
    for (const setting of new Set(shown)) {
      const { code, stderr } = await stormcheck(['verify', `${FIXTURES}/incident.log`, ...setting.split(/ /)]);
      expect(stderr, setting).not.toMatch(/unknown option|is not/);
      expect([0, 1], `${setting}: ${stderr}`).toContain(code);
    }
  });

  it('explains one rule with its thresholds, docs link and fix, as text or JSON', async () => {
    const text = await stormcheck(['rules', 'adapter-burst']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('thresholds: --window 60s, --burst 2');
    expect(text.stdout).toMatch(/docs: https:\/\/\S+\/docs\/rules\.md#adapter-burst/);
    expect(text.stdout).toContain('**Fix:**');
    const json = JSON.parse((await stormcheck(['rules', 'connect-storm', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'connect-storm', severity: 'error', thresholds: { storm: 5 } });
    expect(json.explanation).toContain('**In OpenAlgo:**');
  });

  it('names the nearest rule for a typo and exits 2', async () => {
    const { code, stderr, stdout } = await stormcheck(['rules', 'adapter-burts']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown rule adapter-burts; did you mean adapter-burst\?/);
  });
});
