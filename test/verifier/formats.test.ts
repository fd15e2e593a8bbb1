import { describe, expect, it } from 'vitest';
import { parseLine } from '../../verifier/parse/parse-line.ts';

const AT = Date.UTC(2025, 10, 11, 9, 45, 49, 179);
const AT_S = Date.UTC(2025, 10, 11, 9, 45, 49);

describe('OpenAlgo text lines in their real shapes', () => {
  it.each([
    ['default format', '[2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['ANSI colours', '[2025-11-11 09:45:49,179] \x1b[32mINFO\x1b[0m in \x1b[1mbroker_factory\x1b[0m: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['docker compose prefix', 'openalgo-web  | [2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['docker prefix with colour', '\x1b[36mopenalgo-web  |\x1b[0m [2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['journald wrapping the app line', 'Nov 11 09:45:49 algo-box openalgo[1234]: [2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['ISO T with .mmm in brackets', '[2025-11-11T09:45:49.179] INFO in broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['no brackets, module after level', '2025-11-11 09:45:49,179 INFO broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
    ['python logging "name - LEVEL -"', '2025-11-11 09:45:49,179 - broker_factory - INFO - Creating adapter for broker: angel', AT, 'broker_factory'],
    ['cloud (CRI) prefix', '2025-11-11T04:15:49.179123456Z stdout F [2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel', AT, 'broker_factory'],
  ])('%s', (_name, line, time, module) => {
    const r = parseLine(line, 'auto', 2025);
    expect(r).toMatchObject({ time, module, message: 'Creating adapter for broker: angel' });
  });

  it('reads a zone when the log gives one', () => {
    const r = parseLine('2025-11-11T09:45:49.179+05:30 INFO angel_adapter: Connected to Angel WebSocket', 'auto', 2025);
    expect(r).toMatchObject({ time: AT - 5.5 * 3_600_000, zoned: true, message: 'Connected to Angel WebSocket' });
  });

  it("reads the SmartAPI SDK's logzero lines", () => {
    const r = parseLine('[E 251111 09:45:49 smartWebSocketV2:221] Error occurred during WebSocket connection: Handshake status 429', 'auto', 2025);
    expect(r).toMatchObject({ time: AT_S, level: 'ERROR', module: 'smartWebSocketV2', message: 'Error occurred during WebSocket connection: Handshake status 429' });
  });

  it('dates a journald line without an inner timestamp with the given year', () => {
    const r = parseLine('Nov 11 09:45:49 algo-box openalgo[1234]: Connecting to Angel WebSocket (attempt 1)', 'auto', 2025);
    expect(r).toMatchObject({ time: AT_S, message: 'Connecting to Angel WebSocket (attempt 1)' });
  });

  it('finds no record in traceback lines, binary junk or impossible dates', () => {
    for (const line of ['Traceback (most recent call last):', '  File "x.py", line 3, in f', '\x00\x01\xff junk', '[2025-13-45 99:99:99,000] INFO in x: y']) {
      expect(parseLine(line, 'auto', 2025)).toBeUndefined();
    }
  });
});

describe('pino JSON lines', () => {
  const gw = '{"level":30,"time":1762854349179,"pid":1,"hostname":"gw","event":"adapter.create","user":"demo","broker":"angel","msg":"Creating NEW angel adapter for user demo"}';

  it("reads the gateway's lines with event, user and broker", () => {
    expect(parseLine(gw, 'auto', 2025)).toMatchObject({ time: 1762854349179, level: 'INFO', event: 'adapter.create', user: 'demo', broker: 'angel', message: 'Creating NEW angel adapter for user demo' });
  });

  it('reads any pino log: ISO time, string level, behind a docker prefix', () => {
    const r = parseLine('gateway-1  | {"level":"warn","time":"2025-11-11T09:45:49.179Z","msg":"Angel WebSocket connection closed"}', 'auto', 2025);
    expect(r).toMatchObject({ time: AT, zoned: true, level: 'WARN', message: 'Angel WebSocket connection closed' });
  });

  it('reads epoch seconds (pino unixTime) as well as epoch milliseconds', () => {
    expect(parseLine('{"level":30,"time":1762854349,"msg":"y"}', 'auto', 2025)).toMatchObject({ time: AT_S });
  });

  it('skips JSON that is not a log line', () => {
    expect(parseLine('{"foo":1}', 'pino', 2025)).toBeUndefined();
  });
});

describe('--format', () => {
  const text = '[2025-11-11 09:45:49,179] INFO in x: y';
  const json = '{"level":30,"time":1762854349179,"msg":"y"}';

  it('openalgo reads only text lines, pino only JSON lines, auto both', () => {
    expect(parseLine(text, 'openalgo', 2025)).toBeDefined();
    expect(parseLine(json, 'openalgo', 2025)).toBeUndefined();
    expect(parseLine(json, 'pino', 2025)).toBeDefined();
    expect(parseLine(text, 'pino', 2025)).toBeUndefined();
    expect(parseLine(text, 'auto', 2025)).toBeDefined();
    expect(parseLine(json, 'auto', 2025)).toBeDefined();
  });
});
