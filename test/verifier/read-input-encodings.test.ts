import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { openInput } from '../../verifier/input/open-input.ts';
import { readInput } from '../../verifier/read-input.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

/** A log with non-ASCII text, a traceback whose line holds the refusal, and CRLF line ends. */
const LOG = [
  '[2025-11-11 09:45:49,179] INFO in broker_factory: Creating NEW angel adapter for user mééra',
  '[2025-11-11 09:45:50,001] INFO in angel_adapter: Connecting to Angel WebSocket (attempt 1) ✅',
  '[2025-11-11 09:45:50,002] ERROR in _logging: handshake failed',
  'Traceback (most recent call last):',
  "websocket._exceptions.WebSocketBadStatusException: Handshake status 429 Too Many Requests -+-+- {'x-error-message': 'Connection Limit Exceeded.'}",
  '',
  '  File "x.py", line 1, in Connecting',
  '[2025-11-11 09:45:51,003] INFO in broker_factory: Reusing existing angel adapter for user mééra',
].join('\r\n');

async function read(bytes: Buffer) {
  const events: LogEvent[] = [];
  const file = await tmp.file('encoded.log', bytes);
  const { summary } = await readInput(await openInput(file), { format: 'auto', year: 2025, patternRules: [], onEvent: (ev) => events.push(ev) });
  return { summary: { ...summary, name: undefined }, events: events.map((e) => ({ kind: e.kind, line: e.ref.line, user: e.user })) };
}

describe('reading the same log in other encodings', () => {
  it('UTF-16 (LE and BE, with a BOM) gives the lines, records and events of UTF-8', async () => {
    const utf8 = await read(Buffer.from(LOG, 'utf8'));
    expect(utf8.summary).toMatchObject({ lines: 8, recognised: 4, continuation: 4, undecodable: 0 });
    expect(utf8.events.map((e) => e.kind)).toEqual(['create', 'attempt', 'refused', 'reuse']);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LOG, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(LOG, 'utf16le').swap16()]);
    expect(await read(le)).toEqual(utf8);
    expect(await read(be)).toEqual(utf8);
  });

  it('counts the lines that are not valid UTF-8 and still reads their records', async () => {
    const bad = Buffer.from(LOG.replace('mééra', 'm\u0000\u0000ra'), 'utf8');
    // Two bytes that no UTF-8 sequence starts with, in the first record's user name.
    bad[bad.indexOf(0)] = 0xff;
    bad[bad.indexOf(0)] = 0xc3;
    const got = await read(bad);
    expect(got.summary).toMatchObject({ lines: 8, recognised: 4, undecodable: 1 });
    expect(got.events.map((e) => e.kind)).toEqual(['create', 'attempt', 'refused', 'reuse']);
  });
});
