import { spawn } from 'node:child_process';
import { appendFile, readFile, mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { RULE_CATALOG } from '../../verifier/rules/index.ts';
import { oa, STORMCHECK_BIN, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const LOGS = new URL('../../fixtures/logs/', import.meta.url).pathname;
const INCIDENT = `${LOGS}incident.log`;
const HEALTHY = `${LOGS}healthy-2025.log`;

const tmp = tempDirPerTest();

describe('stormcheck verify: reporters', () => {
  it('text: summary, finding with kind and evidence, per-minute timeline; no colour in a pipe', async () => {
    const { code, stdout, stderr } = await stormcheck(['verify', INCIDENT]);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^stormcheck verify: 1 finding\(s\) — 1 error/);
    expect(stdout).toContain('ERROR   connect-storm');
    expect(stdout).toContain('[runaway-retry]');
    expect(stdout).toContain(`evidence: ${INCIDENT}:3`);
    expect(stdout).toMatch(/2025-11-11T09:46\s+0\s+50\s+0/);
    expect(stdout).not.toContain('\x1b[');
  });

  it('json: one document with schemaVersion, also written with --output', async () => {
    const out = `${tmp.dir}/report.json`;
    const { code, stdout } = await stormcheck(['verify', INCIDENT, '--reporter', 'json', '--output', out]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const report = JSON.parse(await readFile(out, 'utf8')) as VerifyReport;
    expect(report).toMatchObject({
      schemaVersion: 2,
      verdict: 'fail',
      exitCode: 1,
      failOn: 'error',
      linesRead: 52,
      linesRecognised: 52,
      thresholds: { windowMs: 60_000, burst: 2, storm: 5, zombieReconnect: 1, forcedReconnect: 3, staleFeed: 1, eventLoopStall: 1 },
    });
    expect(report.timeline).toEqual([
      { minute: '2025-11-11T09:45', creations: 1, attempts: 1, refusals: 0, teardowns: 0 },
      { minute: '2025-11-11T09:46', creations: 0, attempts: 50, refusals: 0, teardowns: 0 },
    ]);
    expect(report.groups).toEqual([expect.objectContaining({ name: INCIDENT, files: [INCIDENT], verdict: 'fail' })]);
    expect(report.groups[0].seconds[0]).toEqual({
      second: '2025-11-11T09:45:49',
      broker: 'angel',
      creations: 1,
      attempts: 1,
      refusals: 0,
      teardowns: 0,
      first: { file: INCIDENT, line: 1 },
    });
    expect(report.findings[0].evidence[0]).toEqual({ file: INCIDENT, line: 3 });
  });

  it('junit: one testcase per rule, the storm rule failing', async () => {
    const { code, stdout } = await stormcheck(['verify', INCIDENT, '--reporter', 'junit']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^<\?xml/);
    expect(stdout.match(/<testcase /g)).toHaveLength(RULE_CATALOG.length);
    expect(stdout).toMatch(
      new RegExp(`<testcase classname="stormcheck.verify" name="connect-storm" file="${INCIDENT}" line="3" time="[\\d.]+">\\s*<failure type="error"`),
    );
    expect(stdout).toContain(`tests="${RULE_CATALOG.length}" failures="1"`);
  });

  it('github: workflow-command annotations at the first evidence line', async () => {
    const { stdout } = await stormcheck(['verify', INCIDENT, '--reporter', 'github']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^::error file=${INCIDENT},line=3,title=stormcheck connect-storm::Connection storm`));
    expect(lines).toHaveLength(1);
  });
});

describe('stormcheck verify: exit codes and options', () => {
  it('0 on a healthy log, 1 with --fail-on warning when it has warnings', async () => {
    expect((await stormcheck(['verify', HEALTHY])).code).toBe(0);
    expect((await stormcheck(['verify', HEALTHY, '--fail-on', 'warning'])).code).toBe(1);
  });

  it.each([
    ['a missing path', ['missing.log']],
    ['a bad --window', ['INCIDENT', '--window', 'soon']],
    ['--burst 0', ['INCIDENT', '--burst', '0']],
    ['a fractional --storm', ['INCIDENT', '--storm', '2.5']],
    ['--zombie-reconnect 0', ['INCIDENT', '--zombie-reconnect', '0']],
    ['a fractional --forced-reconnect', ['INCIDENT', '--forced-reconnect', '1.5']],
    ['--stale-feed -1', ['INCIDENT', '--stale-feed=-1']],
    ['a word for --event-loop-stall', ['INCIDENT', '--event-loop-stall', 'many']],
    ['an unknown --format', ['INCIDENT', '--format', 'xml']],
    ['an unknown --reporter', ['INCIDENT', '--reporter', 'pdf']],
    ['an unknown --fail-on', ['INCIDENT', '--fail-on', 'never']],
    ['no paths', []],
  ])('exits 2 with one line on stderr for %s', async (_what, rest) => {
    const args = rest.map((a) => (a === 'INCIDENT' ? INCIDENT : a === 'missing.log' ? `${tmp.dir}/missing.log` : a));
    const { code, stdout, stderr } = await stormcheck(['verify', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the option that was wrong', async () => {
    expect((await stormcheck(['verify', INCIDENT, '--window', 'soon'])).stderr).toContain('--window');
    expect((await stormcheck(['verify', INCIDENT, '--format', 'xml'])).stderr).toContain('--format xml');
    expect((await stormcheck(['verify', `${tmp.dir}/missing.log`])).stderr).toContain('missing.log');
  });

  it('--window, --burst and --storm change the verdict', async () => {
    expect((await stormcheck(['verify', INCIDENT, '--storm', '51'])).code).toBe(0);
    const burst = `${LOGS}journald-burst.log`;
    const loose = await stormcheck(['verify', burst, '--burst', '4', '--reporter', 'json']);
    expect((JSON.parse(loose.stdout) as VerifyReport).findings.map((f) => f.rule)).not.toContain('adapter-burst');
    const short = await stormcheck(['verify', burst, '--window', '4s', '--reporter', 'json']);
    expect((JSON.parse(short.stdout) as VerifyReport).findings.map((f) => f.rule)).not.toContain('adapter-burst');
  });

  it('--forced-reconnect and --stale-feed change the verdict of their rules, and the report names them', async () => {
    const log = `${LOGS}forced-reconnect-2026.log`;
    const rulesOf = (out: string) => (JSON.parse(out) as VerifyReport).findings.map((f) => f.rule).sort();
    expect(rulesOf((await stormcheck(['verify', log, '--reporter', 'json'])).stdout)).toEqual(['forced-reconnect', 'stale-feed']);
    const loose = await stormcheck(['verify', log, '--forced-reconnect', '5', '--stale-feed', '2', '--reporter', 'json']);
    expect(rulesOf(loose.stdout)).toEqual([]);
    expect((JSON.parse(loose.stdout) as VerifyReport).thresholds).toMatchObject({ forcedReconnect: 5, staleFeed: 2 });
    expect((await stormcheck(['verify', `${LOGS}sdk-zombie-docker.log`, '--zombie-reconnect', '1000'])).code).toBe(0);
  });

  it('--help lists the options with examples', async () => {
    const { code, stdout } = await stormcheck(['verify', '--help']);
    expect(code).toBe(0);
    for (const opt of ['--format', '--rules', '--reporter', '--output', '--follow', '--window', '--burst', '--storm', '--zombie-reconnect', '--forced-reconnect', '--stale-feed', '--event-loop-stall', '--fail-on', '--allow-empty', 'Examples:']) {
      expect(stdout).toContain(opt);
    }
  });
});

describe('stormcheck verify: inputs', () => {
  it('reads stdin with -', async () => {
    const { code, stdout } = await stormcheck(['verify', '-', '--reporter', 'json'], { stdin: await readFile(INCIDENT) });
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as VerifyReport).findings[0]).toMatchObject({ rule: 'connect-storm', evidence: expect.arrayContaining([{ file: 'stdin', line: 3 }]) });
  });

  it('reads folders recursively and globs, each log judged on its own, rotations oldest first with their log', async () => {
    await mkdir(`${tmp.dir}/a/b`, { recursive: true });
    await tmp.file('a/b/app.log', `${oa(0, 'Creating adapter for broker: angel')}\n`);
    await tmp.file('a/app.log.1', `${oa(1000, 'Creating adapter for broker: angel')}\n`);
    await tmp.file('a/app.log', `${oa(2000, 'Creating adapter for broker: angel')}\n`);
    const glob = await stormcheck(['verify', `${tmp.dir}/a/**/*.log*`, '--reporter', 'json']);
    expect(glob.code).toBe(0);
    const report = JSON.parse(glob.stdout) as VerifyReport;
    expect(report.inputs.map((i) => i.name)).toEqual([`${tmp.dir}/a/app.log.1`, `${tmp.dir}/a/app.log`, `${tmp.dir}/a/b/app.log`]);
    expect(report.groups.map((g) => g.files)).toEqual([[`${tmp.dir}/a/app.log.1`, `${tmp.dir}/a/app.log`], [`${tmp.dir}/a/b/app.log`]]);
    await tmp.file('a/app.log.2', `${oa(500, 'Creating adapter for broker: angel')}\n`);
    const rotated = await stormcheck(['verify', `${tmp.dir}/a`, '--reporter', 'json']);
    expect(rotated.code).toBe(1);
    expect((JSON.parse(rotated.stdout) as VerifyReport).findings).toEqual([
      expect.objectContaining({ rule: 'adapter-burst', count: 3, input: `${tmp.dir}/a/app.log` }),
    ]);
  });

  it('--rules adds pattern rules; a bad rules file exits 2 naming it', async () => {
    const rules = await tmp.file('rules.json', JSON.stringify({ rules: [{ name: 'attempt-one', pattern: 'attempt 1\\)', window: '2s', threshold: 10, severity: 'warning' }] }));
    const { code, stdout } = await stormcheck(['verify', INCIDENT, '--rules', rules, '--reporter', 'json', '--storm', '100']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as VerifyReport).findings).toContainEqual(expect.objectContaining({ rule: 'attempt-one', severity: 'warning', count: 50 }));
    const bad = await tmp.file('bad.json', JSON.stringify([{ name: 'x', pattern: '(' }]));
    const r = await stormcheck(['verify', INCIDENT, '--rules', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
  });

  it('--follow reads a growing file until SIGINT, then reports what was written', async () => {
    const log = await tmp.file('live.log', `${oa(0, 'Creating adapter for broker: angel')}\n`);
    const child = spawn(process.execPath, [STORMCHECK_BIN, 'verify', log, '--follow', '--reporter', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('press Ctrl-C')) resolve();
      });
    });
    const storm = Array.from({ length: 6 }, (_, i) => oa(50_000 + i * 10, 'Connecting to Angel WebSocket (attempt 1)')).join('\n');
    await appendFile(log, `${storm}\n`);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.linesRead).toBe(7);
    expect(report.findings[0]).toMatchObject({ rule: 'connect-storm', count: 6 });
  });
});
