import { spawn } from 'node:child_process';
import { appendFile, readFile, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { oa, STORMCHECK_BIN, tempDirPerTest } from '../support/run-stormcheck.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;

const tmp = tempDirPerTest();

/** `verify --follow` on `log`; `until` resolves once stderr holds a text, `stop` sends SIGINT and parses the report. */
function follow(log: string) {
  const child = spawn(process.execPath, [STORMCHECK_BIN, 'verify', log, '--follow', '--reporter', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of waiting.filter((w) => stderr.includes(w.text))) w.resolve();
  });
  const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return {
    until: (text: string) => new Promise<void>((resolve) => (stderr.includes(text) ? resolve() : waiting.push({ text, resolve }))),
    stop: async () => {
      child.kill('SIGINT');
      const code = await exited;
      return { code, stderr, report: JSON.parse(stdout) as VerifyReport };
    },
  };
}

const quiet = `${oa(0, 'Creating adapter for broker: angel')}\n${oa(10, 'Connecting to Angel WebSocket (attempt 1)')}\n${oa(300, 'Connected to Angel WebSocket')}\n`;

describe('stormcheck verify --follow tells each finding as it appears', () => {
  it('a storm appended to a followed log is told on stderr before Ctrl-C, once, and is in the report', async () => {
    const log = await tmp.file('live.log', quiet);
    const run = follow(log);
    await run.until('press Ctrl-C');
    await appendFile(log, await readFile(INCIDENT));
    await run.until('stormcheck verify: new error connect-storm');
    // More of the same storm is not news: the finding only grows.
    await appendFile(log, `${oa(200_000, 'Connecting to Angel WebSocket (attempt 1)')}\n`);
    const { code, stderr, report } = await run.stop();
    expect(code).toBe(1);
    const told = stderr.split('\n').filter((l) => l.startsWith('stormcheck verify: new '));
    expect(told.filter((l) => l.includes(' connect-storm '))).toHaveLength(1);
    expect(told.find((l) => l.includes(' connect-storm '))).toMatch(/^stormcheck verify: new error connect-storm .* at .*live\.log:\d+: /);
    for (const f of report.findings) expect(told.some((l) => l.startsWith(`stormcheck verify: new ${f.severity} ${f.rule}`))).toBe(true);
    expect(stderr.indexOf('new error connect-storm')).toBeGreaterThan(stderr.indexOf('press Ctrl-C'));
  });

  it('a quiet followed log tells nothing', async () => {
    const log = await tmp.file('live.log', quiet);
    const run = follow(log);
    await run.until('press Ctrl-C');
    const { code, stderr } = await run.stop();
    expect(code).toBe(0);
    expect(stderr).not.toContain('stormcheck verify: new ');
  });
});

describe('stormcheck verify - --follow reads a stream such as docker logs -f', () => {
  it('tells a finding while the stream is open, and reports when it ends', async () => {
    const child = spawn(process.execPath, [STORMCHECK_BIN, 'verify', '-', '--follow', '--reporter', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const told = new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('new error connect-storm')) resolve();
      }),
    );
    child.stdin.write(await readFile(INCIDENT));
    await told;
    child.stdin.end();
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as VerifyReport).findings[0]).toMatchObject({ rule: 'connect-storm', input: 'stdin' });
  });
});

describe('stormcheck verify --follow behaves like tail -F', () => {
  it('a file that does not exist yet is waited for, said once, and judged when it appears', async () => {
    const log = `${tmp.dir}/later.log`;
    const run = follow(log);
    await run.until(`waiting for ${log} to appear`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await writeFile(log, await readFile(INCIDENT));
    await run.until('stormcheck verify: new error connect-storm');
    const { code, stderr, report } = await run.stop();
    expect(code).toBe(1);
    expect(stderr.split('waiting for')).toHaveLength(2);
    expect(report.findings[0]).toMatchObject({ rule: 'connect-storm', input: log });
  });

  it.each([
    ['renamed and recreated', async (log: string) => rename(log, `${log}.1`)],
    ['deleted and recreated', async (log: string) => unlink(log)],
  ])('%s: the storm in the new file fails the run', async (_name, rotate) => {
    const log = await tmp.file('live.log', quiet);
    const run = follow(log);
    await run.until('press Ctrl-C');
    await rotate(log);
    await writeFile(log, await readFile(INCIDENT));
    await run.until('was replaced');
    const { code, report } = await run.stop();
    expect(code).toBe(1);
    expect(report.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50 });
    expect(report.inputs[0].rotations).toEqual([{ kind: 'replaced', afterBytes: quiet.length, mayHaveMissedLines: false }]);
  });

  it('copytruncate, regrown past the old offset before the next poll: read again from the start, reported', async () => {
    const log = await tmp.file('live.log', quiet);
    const run = follow(log);
    await run.until('press Ctrl-C');
    await truncate(log, 0);
    await appendFile(log, await readFile(INCIDENT));
    const { code, report, stderr } = await run.stop();
    expect(code).toBe(1);
    expect(stderr).toContain('was truncated; lines written just before may be missed');
    expect(report.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50 });
    expect(report.inputs[0].rotations).toEqual([{ kind: 'truncated', afterBytes: quiet.length, mayHaveMissedLines: true }]);
  });
});
