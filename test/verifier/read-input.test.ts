import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { openInput, READ_CHUNK, type InputSource } from '../../verifier/input/open-input.ts';
import { readInput } from '../../verifier/read-input.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const FILLER = '[2025-11-11 09:45:49,179] DEBUG in angel_mapping: Tick for token: [REDACTED] ltp 1.00 volume 5\n';
const CONNECT = '[2025-11-11 09:45:50,001] INFO in angel_adapter: Connecting to Angel WebSocket (attempt 1)\n';
const CREATE = '[2025-11-11 09:45:51,002] INFO in broker_factory: Creating NEW angel adapter for user meera\n';
const ERROR_HEAD = '[2025-11-11 09:45:52,003] ERROR in _logging: handshake failed\n';
// The shortest line that fillTo pads with: a head, so padding never becomes part of a traceback.
const PAD_MIN = 41;
const REFUSAL = "websocket._exceptions.WebSocketBadStatusException: Handshake status 429 Too Many Requests -+-+- {'x-error-message': 'Invalid Request. Connection Limit Exceeded.'}\n";

/** Builds a log of plain file bytes with lines placed at chosen offsets; remembers each placed line's number. */
class LogBuilder {
  private parts: string[] = [];
  private bytes = 0;
  lines = 0;
  readonly placed: Array<{ line: number; text: string }> = [];

  /** Adds filler lines so that the next line starts exactly at `offset`. */
  fillTo(offset: number): this {
    while (offset - this.bytes >= FILLER.length + PAD_MIN) this.add(FILLER);
    const gap = offset - this.bytes;
    if (gap > 0) this.add(`${FILLER.slice(0, PAD_MIN - 1)}${'x'.repeat(gap - PAD_MIN)}\n`);
    expect(this.bytes).toBe(offset);
    return this;
  }

  place(text: string): this {
    this.placed.push({ line: this.lines + 1, text });
    return this.add(text);
  }

  add(text: string): this {
    this.parts.push(text);
    this.bytes += Buffer.byteLength(text);
    this.lines += 1;
    return this;
  }

  build(): Buffer {
    return Buffer.from(this.parts.join(''), 'latin1');
  }
}

async function read(source: InputSource): Promise<{ events: Array<Pick<LogEvent, 'kind'> & { line: number }>; lines: number }> {
  const events: Array<Pick<LogEvent, 'kind'> & { line: number }> = [];
  const { summary } = await readInput(source, {
    format: 'auto',
    year: 2025,
    patternRules: [],
    onEvent: (ev) => events.push({ kind: ev.kind, line: ev.ref.line }),
  });
  return { events, lines: summary.lines };
}

const tmp = tempDirPerTest();

describe('reading a plain file chunk by chunk', () => {
  it('finds keywords straddling a read boundary and lines starting exactly at one, as one whole buffer would', async () => {
    const log = new LogBuilder();
    // `WebSo` begins two bytes before the first boundary, so the keyword is split across two reads.
    log.fillTo(READ_CHUNK - CONNECT.indexOf('WebSo') - 2).place(CONNECT);
    // A record's first line starts exactly at the second boundary.
    log.fillTo(2 * READ_CHUNK).place(CREATE);
    // A traceback line holding the refusal starts exactly at the third boundary; its record's head is in the read before.
    log.fillTo(3 * READ_CHUNK - ERROR_HEAD.length).add(ERROR_HEAD).place(REFUSAL);
    // The fourth boundary falls inside `Creat`, and the last line has no newline.
    log.fillTo(4 * READ_CHUNK - CREATE.indexOf('Creat') - 2).place(CREATE.trimEnd());
    const bytes = log.build();
    const file = await tmp.file('boundaries.log', bytes);

    const chunked = await read(await openInput(file));
    const whole = await read({ name: file, stream: (async function* () { yield bytes; })() });

    expect(chunked).toEqual(whole);
    const [connect, create, refusal, lastCreate] = log.placed;
    expect(chunked.events).toEqual([
      { kind: 'attempt', line: connect.line },
      { kind: 'create', line: create.line },
      { kind: 'refused', line: refusal.line - 1 },
      { kind: 'create', line: lastCreate.line },
    ]);
    expect(chunked.lines).toBe(lastCreate.line);
  });

  it('reads a file whose size is an exact multiple of the read size', async () => {
    const log = new LogBuilder();
    log.fillTo(READ_CHUNK).place(CONNECT);
    log.fillTo(2 * READ_CHUNK);
    const file = await tmp.file('exact.log', log.build());

    const { events, lines } = await read(await openInput(file));

    expect(events).toEqual([{ kind: 'attempt', line: log.placed[0].line }]);
    expect(lines).toBe(log.lines);
  });
});

describe('candidate keywords', () => {
  // One message per template (docs/architecture.md#log-templates wording): the scanner only parses lines holding a keyword, so a
  // keyword set that missed one of these would silently drop its events.
  const MESSAGES = [
    ['wrapper', 'Creating pooled adapter for broker: angel (shared pool)'],
    ['pool-connection', '[POOL] Creating NEW connection 2/3 for angel (1000 symbols per connection)'],
    ['create', 'Creating NEW angel adapter for user meera'],
    ['create', 'Creating adapter for broker: angel'],
    ['create', 'Created new connection pool for angel_meera: 1 connection'],
    ['reuse', 'Reusing existing pool for angel_meera'],
    ['reuse', 'Reusing existing angel adapter for user meera'],
    ['remove', 'Removed angel adapter for user meera'],
    ['active', 'Active angel adapters: 2'],
    ['attempt', 'Connecting to Angel WebSocket (attempt 1)'],
    ['connected', 'Connected to Angel WebSocket'],
    ['closed', 'Angel WebSocket connection closed'],
    ['exhausted', 'Max reconnection attempts reached. Giving up.'],
    ['teardown', 'Last client for user meera disconnected. Disconnecting angel adapter.'],
    ['invalidated', 'Invalidated 2 cached pool(s) for user=meera'],
    ['refused', "Handshake status 429 Too Many Requests -+-+- {'x-error-message': 'Invalid Request. Connection Limit Exceeded.'} -+-+- b'' - goodbye"],
    // Another broker's adapter line: Angel's would be paired with the websocket-client line above.
    ['refused', 'Dhan WebSocket error: 429'],
    ['rest-rate-limit', 'HTTP Request: POST https://apiconnect.angelone.in/rest/secure/angelbroking/order/v1/placeOrder "HTTP/1.1 429 Too Many Requests"'],
    ['rest-rate-limit', 'Access denied because of exceeding access rate'],
    ['auth-failure', 'HTTP Request: POST https://apiconnect.angelone.in/rest/auth/angelbroking/user/v1/loginByPassword "HTTP/1.1 401 Unauthorized"'],
    ['auth-failure', 'HTTP Request: GET https://apiconnect.angelone.in/rest/secure/angelbroking/user/v1/getProfile "HTTP/1.1 403 Forbidden"'],
    ['auth-failure', "Handshake status 401 -+-+- {'content-type': 'application/json'} -+-+- b'' - goodbye"],
    ['auth-failure', 'Login failed for client code, status code: 403'],
    ['stale-feed', 'Stale feed: angel adapter for user meera reports connected but no ticks for 45s'],
    ['exhausted', 'Maximum reconnection attempts (10) reached'],
    ['refused', 'Disconnect reason: Maximum websocket connections exceeded'],
    ['sdk-retry', 'Attempting to resubscribe/reconnect (Attempt 2)...'],
    ['reconnect', 'Reconnecting in 2.0s (attempt 3)'],
    ['refused', 'Rejected smart-stream handshake for SINGLE1 with 429 Invalid Request. Connection Limit Exceeded.'],
    ['rest-rate-limit', 'Error response: Too many requests'],
    ['subscribed', 'Batch subscribed 1200 tokens in mode 3 across 2 exchange-type group(s)'],
  ] as const;

  it('every template message in a plain file becomes its event', async () => {
    // Ten minutes apart, so no line is judged together with another.
    const text = MESSAGES.map(([, msg], i) => `[2025-11-11 ${String(9 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}:00,000] INFO in angel_adapter: ${msg}\n`).join('');
    const file = await tmp.file('templates.log', FILLER.repeat(1000) + text);

    const { events } = await read(await openInput(file));

    expect(events).toEqual(MESSAGES.map(([kind], i) => ({ kind, line: 1001 + i })));
  });
});
