import { truncate } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../verifier/input/max-line.ts';
import type * as OpenInput from '../../verifier/input/open-input.ts';
import { READ_CHUNK } from '../../verifier/input/open-input.ts';
import { PASS_THREAD_ENV } from '../../verifier/input/region-pass.ts';
import type * as RegionPass from '../../verifier/input/region-pass.ts';
import type * as Verify from '../../verifier/verify.ts';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

/**
 * A log of several read chunks with what the region boundaries must carry exactly: records cut by a
 * chunk's end, CRLF endings, non-ASCII text, tracebacks whose keyword line belongs to the record above,
 * and over-long lines: one that crosses two chunks and one longer than a chunk, cut where it is carried.
 */
function multiRegionLog(): string {
  const lines: string[] = [];
  let ms = 0;
  let bytes = 0;
  const add = (line: string) => {
    lines.push(line);
    bytes += line.length + 1;
  };
  for (let i = 0; bytes < 3.5 * READ_CHUNK; i++) {
    ms += 37;
    const user = `user${i % 7}`;
    if (i % 5 === 0) add(oa(ms, `Creating NEW angel adapter for user ${user}`, 'INFO', 'broker_factory'));
    else if (i % 11 === 0) add(`${oa(ms, `Reconnect attempt 1 for ${user} — réessai`)}\r`);
    else if (i % 13 === 0) {
      add(oa(ms, 'Unhandled error in websocket loop', 'ERROR'));
      add('Traceback (most recent call last):');
      add('  File "angel_adapter.py", line 88, in connect');
      add('websocket._exceptions.WebSocketBadStatusException: Handshake status 429 Too Many Requests');
    } else add(oa(ms, `Connected to Angel WebSocket for ${user}`));
    if (i === 1000) add(oa(ms, `payload ${'y'.repeat(1.2 * MAX_LINE_BYTES)} Reconnect attempt 1`));
    if (i === 2000) add(oa(ms, `payload ${'x'.repeat(2.5 * MAX_LINE_BYTES)} Creating NEW angel adapter for user cut`, 'INFO', 'broker_factory'));
  }
  return `${lines.join('\n')}\n`;
}

describe('verify with the keyword pass on its own thread', () => {
  it('gives a multi-region file the same JSON report, byte for byte, as the single-thread read', async () => {
    const file = await tmp.file('multi-region.log', multiRegionLog());
    const threaded = await stormcheck(['verify', file, '--reporter', 'json'], { env: { ...process.env, [PASS_THREAD_ENV]: 'on' } });
    const single = await stormcheck(['verify', file, '--reporter', 'json'], { env: { ...process.env, [PASS_THREAD_ENV]: 'off' } });
    expect(threaded.stderr).toBe(single.stderr);
    expect(threaded.code).toBe(single.code);
    expect(threaded.stdout).toBe(single.stdout);
    const report = JSON.parse(single.stdout) as { inputs: Array<{ lines: number; truncated: number }>; findings: unknown[] };
    expect(report.inputs[0]!.truncated).toBe(2);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it('the built CLI takes the pass thread when told to (so the comparison above compares two paths), and not for a small file by itself', async () => {
    const { passThreadFor, PASS_THREAD_MIN_BYTES } = (await import(new URL('../../dist/verifier/input/region-pass.js', import.meta.url).href)) as typeof RegionPass;
    const before = process.env[PASS_THREAD_ENV];
    try {
      process.env[PASS_THREAD_ENV] = 'on';
      expect(passThreadFor(1)).toBe(true);
      process.env[PASS_THREAD_ENV] = 'off';
      expect(passThreadFor(PASS_THREAD_MIN_BYTES)).toBe(false);
      delete process.env[PASS_THREAD_ENV];
      expect(passThreadFor(PASS_THREAD_MIN_BYTES - 1)).toBe(false);
    } finally {
      if (before === undefined) delete process.env[PASS_THREAD_ENV];
      else process.env[PASS_THREAD_ENV] = before;
    }
  });

  it('reports a file that shrank before the pass thread read it to its end, as the one-thread read does', async () => {
    // The built modules: only they have the pass thread's compiled entry to start.
    const { openInput } = (await import(new URL('../../dist/verifier/input/open-input.js', import.meta.url).href)) as typeof OpenInput;
    const { DEFAULT_OPTIONS, verifyInputs } = (await import(new URL('../../dist/verifier/verify.js', import.meta.url).href)) as typeof Verify;
    const line = `${oa(0, 'Connected to Angel WebSocket')}\n`;
    const lines = Math.ceil((3 * READ_CHUNK) / line.length);
    const file = await tmp.file('app.log', line.repeat(lines));
    const openThenTruncate = async () => {
      const source = await openInput(file);
      // copytruncate by logrotate after the open, so the read ends short of the size it was opened with
      await truncate(file, READ_CHUNK + READ_CHUNK / 2);
      return source;
    };
    const before = process.env[PASS_THREAD_ENV];
    process.env[PASS_THREAD_ENV] = 'on';
    try {
      const result = await verifyInputs([{ group: file, explicit: true, endsGroup: true, open: openThenTruncate }], { ...DEFAULT_OPTIONS, skipUnreadable: true });
      expect(result.unreadable).toEqual([{ file, reason: `shrank from ${lines * line.length} to ${READ_CHUNK + READ_CHUNK / 2} bytes while it was read (truncated); what it held past ${READ_CHUNK + READ_CHUNK / 2} bytes was not judged` }]);
      expect(result.linesRead).toBe(Math.ceil((READ_CHUNK + READ_CHUNK / 2) / line.length));
    } finally {
      if (before === undefined) delete process.env[PASS_THREAD_ENV];
      else process.env[PASS_THREAD_ENV] = before;
    }
  });
});
