import { describe, expect, it } from 'vitest';
import { EventClassifier } from '../../verifier/classify/classify.ts';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { CANDIDATE_KEYWORDS } from '../../verifier/classify/templates.ts';

function classifyOne(module: string, message: string): LogEvent | undefined {
  const events: LogEvent[] = [];
  const classifier = new EventClassifier((ev) => events.push(ev));
  classifier.classify({ time: 0, zoned: false, level: 'INFO', module, message }, { file: 'x.log', line: 1 });
  classifier.finish();
  return events[0];
}

// Real shapes: the Zerodha asyncio client's event helper (2025-06 to 2026-04) prefixes an icon and a
// clock; its adapter and Fyers' adapter put an icon before plain messages.
const SHAPES = [
  ['zerodha_websocket', '🔌 [09:15:00.150] CONNECT: Attempting connection (attempt 3/50)', { kind: 'attempt', broker: 'zerodha', attempt: 3 }],
  ['zerodha_websocket', '🔌 [09:15:00.480] CONNECT: WebSocket connected successfully', { kind: 'connected', broker: 'zerodha' }],
  ['zerodha_websocket', '❌ Connection failed (attempt 3): server rejected WebSocket connection: HTTP 429', { kind: 'refused', broker: 'zerodha' }],
  ['zerodha_websocket', '❌ Max reconnection attempts reached', { kind: 'exhausted', broker: 'zerodha' }],
  ['fyers_adapter', '✅ Connected to Fyers HSM WebSocket', { kind: 'connected', broker: 'fyers' }],
  ['ticker', 'Connection error: 1006 - connection was closed uncleanly (WebSocket connection upgrade failed (429 - TooManyRequests))', { kind: 'refused', broker: 'zerodha' }],
  ['zerodha_websocket', '🔄 Reconnecting in 5s (attempt 2)...', { kind: 'reconnect', broker: 'zerodha', attempt: 2 }],
  ['zerodha_websocket', '✅ Zerodha WebSocket connected', { kind: 'connected', broker: 'zerodha' }],
  ['flattrade_adapter', '🔌 Connecting to Flattrade WebSocket...', { kind: 'attempt', broker: 'flattrade', attempt: 1 }],
  ['flattrade_adapter', '✅ Reconnected successfully', { kind: 'connected', broker: 'flattrade' }],
  ['shoonya_websocket', '⚠️ Connection timeout - no messages received', { kind: 'stale-feed', broker: 'shoonya' }],
] as const;

describe('classifier on real line shapes with icons and prefixes', () => {
  for (const [module, message, want] of SHAPES) {
    it(message, () => {
      expect(classifyOne(module, message)).toMatchObject(want);
      expect(CANDIDATE_KEYWORDS.some((k) => message.includes(k))).toBe(true);
    });
  }

  it('does not read the adapter repeating the connection as a second one', () => {
    expect(classifyOne('zerodha_adapter', '✅ WebSocket connected')).toBeUndefined();
    expect(classifyOne('zerodha_adapter', '✅ WebSocket connected successfully')).toBeUndefined();
  });

  it('keeps anchored templates anchored past the icon: a sentence mentioning a retry is no retry', () => {
    expect(classifyOne('upstox_client', 'Skipped: Reconnecting in 5s (attempt 2)...')).toBeUndefined();
  });
});

describe('classifier on a dense storm (each creation used to rescan every other of the last 5 s: 100,000 took minutes)', () => {
  it('100,000 creations logged within 5 s with no initialisation lines, then 100 with: one event per creation', () => {
    const events: LogEvent[] = [];
    const classifier = new EventClassifier((ev) => events.push(ev));
    const record = (time: number, module: string, message: string) => ({ time, zoned: false, level: 'INFO', module, message });
    let line = 0;
    for (let i = 0; i < 100_000; i++) {
      classifier.classify(record(Math.floor(i / 20), 'broker_factory', `Creating NEW angel adapter for user u${i % 50}`), { file: 'x.log', line: ++line });
    }
    for (let i = 0; i < 100; i++) {
      classifier.classify(record(6_000 + i, 'broker_factory', `Creating NEW angel adapter for user v${i}`), { file: 'x.log', line: ++line });
      classifier.classify(record(6_000 + i, 'base_adapter', 'BaseBrokerWebSocketAdapter initializing'), { file: 'x.log', line: ++line });
    }
    classifier.finish();
    expect(events).toHaveLength(100_100);
    expect(events.every((ev) => ev.kind === 'create' && ev.user !== undefined)).toBe(true);
  });
});
