import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPaths, type VerifyReport } from '../../verifier/index.ts';
import { stormcheck, tempDir } from '../support/run-stormcheck.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let incident: Buffer;
beforeEach(async () => {
  tmp = await tempDir();
  incident = await readFile(INCIDENT);
});
afterEach(async () => {
  await tmp.cleanup();
});

async function json(args: string[]): Promise<{ code: number; report?: VerifyReport; stderr: string }> {
  const { code, stdout, stderr } = await stormcheck(['verify', ...args, '--reporter', 'json']);
  return { code, stderr, report: stdout ? (JSON.parse(stdout) as VerifyReport) : undefined };
}

describe('bad input never passes silently', () => {
  it('binary junk alone: exit 2 "no recognisable log lines" naming the file; --allow-empty accepts it', async () => {
    const junk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
    const file = await tmp.file('junk.bin', junk);
    const r = await stormcheck(['verify', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('junk.bin');
    expect(r.stderr).toContain('no recognisable log lines');
    expect((await stormcheck(['verify', file, '--allow-empty'])).code).toBe(0);
  });

  it('an empty file: exit 2, or 0 with --allow-empty', async () => {
    const file = await tmp.file('empty.log', '');
    expect((await stormcheck(['verify', file])).code).toBe(2);
    expect((await stormcheck(['verify', file, '--allow-empty'])).code).toBe(0);
  });

  it('junk and invalid UTF-8 between real lines: the lines around are still read', async () => {
    const lines = incident.toString('utf8').split('\n');
    const mixed = Buffer.concat([
      Buffer.from(`${lines.slice(0, 10).join('\n')}\n`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0x0a, 0xe2, 0x82, 0x0a]),
      Buffer.from(`${lines.slice(10).join('\n')}`),
    ]);
    const { code, report } = await json([await tmp.file('mixed.log', mixed)]);
    expect(code).toBe(1);
    expect(report!.linesUnrecognised).toBe(2);
    expect(report!.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50 });
  });

  it('CRLF line ends read like LF', async () => {
    const { code, report } = await json([await tmp.file('crlf.log', incident.toString('utf8').replace(/\n/g, '\r\n'))]);
    expect(code).toBe(1);
    expect(report!.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50, evidence: expect.arrayContaining([{ file: expect.stringMatching(/crlf\.log$/), line: 3 }]) });
  });

  it('a line over 1 MiB is truncated and counted, and the lines after it are read', async () => {
    const long = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');
    const { code, report } = await json([await tmp.file('long.log', Buffer.concat([long, Buffer.from('\n'), incident]))]);
    expect(code).toBe(1);
    expect(report!.linesTruncated).toBe(1);
    expect(report!.linesRead).toBe(53);
    expect(report!.findings[0].evidence[0]).toEqual({ file: expect.stringMatching(/long\.log$/), line: 4 });
  });

  it('lines that are not valid UTF-8 are counted as undecodable, in JSON and text, and still judged', async () => {
    const lines = incident.toString('utf8').split('\n');
    const bad = (s: string, bytes: number[]) => Buffer.concat([Buffer.from(s), Buffer.from(bytes)]);
    const body = Buffer.concat([
      bad(`${lines[0]} caf`, [0xe9]),
      Buffer.from('\n'),
      Buffer.from(lines.slice(1, 20).join('\n') + '\n'),
      bad('stray bytes ', [0xff, 0xfe, 0x80]),
      Buffer.from('\n'),
      Buffer.from(lines.slice(20).join('\n')),
      // A sequence cut by the end of the file is undecodable too.
      bad('\n[2025-11-11 09:47:00,000] INFO in x: tail ', [0xe2, 0x82]),
    ]);
    const file = await tmp.file('latin1.log', body);
    const { code, report } = await json([file]);
    expect(code).toBe(1);
    expect(report!.linesUndecodable).toBe(3);
    expect(report!.inputs[0].undecodable).toBe(3);
    expect(report!.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50 });
    const text = await stormcheck(['verify', file]);
    expect(text.stdout.split('\n')[0]).toContain('3 undecodable');
    const clean = await json([INCIDENT]);
    expect(clean.report!.linesUndecodable).toBe(0);
  });

  it('a single 50 MiB line without a newline is cut, counted, and judged unrecognisable', async () => {
    const file = await tmp.file('huge.log', Buffer.alloc(50 * 1024 * 1024, 'A'));
    const { code, stderr } = await json([file]);
    expect(code).toBe(2);
    expect(stderr).toContain('no recognisable log lines');
    const report = await verifyPaths([file], { allowEmpty: true });
    expect(report).toMatchObject({ linesRead: 1, linesTruncated: 1 });
  });

  it('a .gz rotation is read (by its magic bytes, whatever its name)', async () => {
    const gz = gzipSync(incident);
    for (const name of ['app.log.1.gz', 'app.log.2']) {
      const { code, report } = await json([await tmp.file(name, gz)]);
      expect(code).toBe(1);
      expect(report!.findings[0]).toMatchObject({ rule: 'connect-storm', count: 50 });
    }
  });

  it('a truncated or corrupt .gz exits 2 naming the file', async () => {
    const gz = gzipSync(incident);
    const truncated = await tmp.file('cut.log.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 12, 60);
    const broken = await tmp.file('corrupt.log.gz', corrupt);
    for (const [file, name] of [[truncated, 'cut.log.gz'], [broken, 'corrupt.log.gz']]) {
      const { code, stderr } = await json([file]);
      expect(code).toBe(2);
      expect(stderr).toContain(name);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
