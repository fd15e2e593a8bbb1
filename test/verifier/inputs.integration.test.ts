import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;

const tmp = tempDirPerTest();

async function json(args: string[], stdin?: Buffer): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  const { code, stdout, stderr } = await stormcheck(['verify', ...args, '--reporter', 'json'], { stdin });
  return { code, stderr, report: JSON.parse(stdout) as VerifyReport };
}

/** One healthy process: one adapter for the user, connected at once. */
const clean = (ms: number) =>
  [
    oa(ms, 'Creating NEW angel adapter for user rajandran', 'INFO', 'broker_factory'),
    oa(ms + 10, 'Connecting to Angel WebSocket (attempt 1)'),
    oa(ms + 300, 'Connected to Angel WebSocket'),
  ].join('\n') + '\n';

describe('stormcheck verify: each input judged on its own', () => {
  it('two clean logs together pass (they used to be one stream: multiple-adapters); --merge judges them as one process', async () => {
    const a = await tmp.file('a.log', clean(0));
    const b = await tmp.file('b.log', clean(1000));
    const apart = await json([a, b]);
    expect(apart.code).toBe(0);
    expect(apart.report.findings).toEqual([]);
    expect(apart.report.groups.map((g) => [g.name, g.verdict])).toEqual([
      [a, 'pass'],
      [b, 'pass'],
    ]);
    const merged = await json([a, b, '--merge']);
    expect(merged.code).toBe(1);
    expect(merged.report.findings).toContainEqual(expect.objectContaining({ rule: 'multiple-adapters', input: 'merged' }));
    expect(merged.report.groups).toEqual([expect.objectContaining({ name: 'merged', files: [a, b] })]);
  });

  it('the same file twice, or by another name, is read once', async () => {
    const a = await tmp.file('a.log', clean(0));
    await symlink(a, `${tmp.dir}/alias.log`);
    const { code, report } = await json([a, a, `${tmp.dir}/alias.log`, tmp.dir]);
    expect(code).toBe(0);
    expect(report.inputs.map((i) => i.name)).toEqual([a]);
  });

  it('a non-log file among logs in a folder is skipped with a notice; named explicitly it is still an input error', async () => {
    await tmp.file('app.log', clean(0));
    const notes = await tmp.file('app.log.expected.json', '{\n  "exitCode": 0,\n  "findings": []\n}\n');
    const text = await stormcheck(['verify', tmp.dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`skipped ${notes}: no recognisable log lines (4 read); skipped`);
    const { report } = await json([`${tmp.dir}/**/*.log*`]);
    expect(report.skipped).toEqual([{ file: notes, reason: 'no recognisable log lines (4 read); skipped' }]);
    expect(report.inputs).toHaveLength(2);
    const named = await stormcheck(['verify', `${tmp.dir}/app.log`, notes]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(notes);
  });
});

describe('stormcheck verify: symlinks', () => {
  it('a storm log that is a symlink in a folder is judged (Kubernetes /var/log/containers), and a symlink loop ends', async () => {
    await mkdir(`${tmp.dir}/pods`);
    await mkdir(`${tmp.dir}/containers`);
    const real = await tmp.file('pods/openalgo-0.log', await readFile(INCIDENT));
    await tmp.file('containers/healthy.log', clean(0));
    await symlink(real, `${tmp.dir}/containers/openalgo-0.log`);
    await symlink('..', `${tmp.dir}/containers/loop`);
    const folder = await json([`${tmp.dir}/containers`]);
    expect(folder.code).toBe(1);
    expect(folder.report.findings).toContainEqual(expect.objectContaining({ rule: 'connect-storm', input: `${tmp.dir}/containers/openalgo-0.log` }));
    // Through the loop the same two files are reachable again, under longer names: each is read once.
    expect(folder.report.inputs).toHaveLength(2);
    const glob = await json([`${tmp.dir}/containers/*.log`]);
    expect(glob.code).toBe(1);
  });
});

describe('stormcheck verify: streams and encodings', () => {
  it('a FIFO named explicitly is read as a stream', async () => {
    const fifo = `${tmp.dir}/pipe`;
    await promisify(execFile)('mkfifo', [fifo]);
    const run = json([fifo]);
    const writer = createWriteStream(fifo);
    writer.end(await readFile(INCIDENT));
    const { code, report } = await run;
    expect(code).toBe(1);
    expect(report.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50, evidence: expect.arrayContaining([{ file: fifo, line: 3 }]) });
  });

  it('UTF-16 with a BOM (LE from a file, BE on stdin) is decoded', async () => {
    const text = await readFile(INCIDENT, 'utf8');
    const le = await tmp.file('utf16.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const fromFile = await json([le]);
    expect(fromFile.code).toBe(1);
    expect(fromFile.report).toMatchObject({ linesRead: 52, linesRecognised: 52 });
    const be = Buffer.from(text, 'utf16le').swap16();
    const fromStdin = await json(['-'], Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.report.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50 });
  });
});

describe('stormcheck verify: several reporters in one run', () => {
  it('github on stdout, JUnit and JSON to files, even when it fails', async () => {
    // The path comes last: a repeated --reporter must not swallow it.
    const { code, stdout } = await stormcheck([
      'verify',
      '--reporter',
      'github',
      '--reporter',
      `junit=${tmp.dir}/verify.xml`,
      '--reporter',
      `json=${tmp.dir}/verify.json`,
      INCIDENT,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^::error file=.*incident\.log,line=3,title=stormcheck connect-storm::/);
    expect(await readFile(`${tmp.dir}/verify.xml`, 'utf8')).toContain('failures="1"');
    expect(JSON.parse(await readFile(`${tmp.dir}/verify.json`, 'utf8'))).toMatchObject({ verdict: 'fail', exitCode: 1 });
  });

  it('on exit 2 JSON is still one document carrying the error, github an ::error:: line, JUnit an errored testcase', async () => {
    const missing = `${tmp.dir}/missing.log`;
    const { code, stdout, stderr } = await stormcheck([
      'verify',
      missing,
      '--reporter',
      'github',
      '--reporter',
      `json=${tmp.dir}/verify.json`,
      '--reporter',
      `junit=${tmp.dir}/verify.xml`,
    ]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(missing)]);
    expect(stdout).toBe(`::error file=${missing.replace(/:/g, '%3A')},title=stormcheck verify::cannot read ${missing}: ENOENT; check the path\n`);
    expect(JSON.parse(await readFile(`${tmp.dir}/verify.json`, 'utf8'))).toMatchObject({
      verdict: 'error',
      exitCode: 2,
      error: { code: 'NOT_FOUND', file: missing },
      findings: [],
    });
    expect(await readFile(`${tmp.dir}/verify.xml`, 'utf8')).toMatch(/<testcase classname="stormcheck.verify" name="input" file="[^"]+missing.log">\s*<error type="NOT_FOUND"/);
    const usage = await stormcheck(['verify', INCIDENT, '--window', 'soon', '--reporter', 'json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'USAGE', message: expect.stringMatching(/^--window .*'soon'/) } });
  });

  it('JUnit escapes attributes: a rule name and file name with quotes, ampersands and angle brackets', async () => {
    const file = await tmp.file(`a&b"<c>'.log`, await readFile(INCIDENT));
    const rules = await tmp.file('rules.json', JSON.stringify([{ name: 'x"&<y>', pattern: 'attempt 1\\)', threshold: 1, severity: 'error' }]));
    const { stdout } = await stormcheck(['verify', file, '--rules', rules, '--reporter', 'junit']);
    expect(stdout).toContain('name="x&quot;&amp;&lt;y&gt;"');
    expect(stdout).toContain('file="' + `${tmp.dir}/a&amp;b&quot;&lt;c&gt;&apos;.log` + '"');
    expect(stdout).not.toMatch(/="[^"]*<[^"]*"/);
  });

  it('a bad --reporter value, or --output with several reporters, is a usage error', async () => {
    const bad = await stormcheck(['verify', INCIDENT, '--reporter', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--reporter xml: xml is not one of text, json, junit, github, html');
    const both = await stormcheck(['verify', INCIDENT, '--reporter', 'json', '--reporter', 'github', '--output', `${tmp.dir}/x`]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--output names the file of a single reporter');
  });
});
