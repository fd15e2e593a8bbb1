import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventClassifier } from '../../verifier/classify/classify.ts';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { CANDIDATE_KEYWORDS, TEMPLATES } from '../../verifier/classify/templates.ts';

function classifyAll(messages: string[], withKeywords: boolean): LogEvent[] {
  const events: LogEvent[] = [];
  const classifier = new EventClassifier((ev) => events.push(ev));
  messages.forEach((message, i) => {
    const keywords = CANDIDATE_KEYWORDS.reduce((bits, k, b) => (message.includes(k) ? bits | (1 << b) : bits), 0);
    const record = { time: i * 700, zoned: false, level: 'INFO', module: 'angel_adapter', message };
    classifier.classify(record, { file: 'x.log', line: i + 1 }, message, withKeywords ? keywords : undefined);
  });
  classifier.finish();
  return events;
}

describe('classifier told which candidate keywords a line holds', () => {
  it('finds the same events as when it tests every template', () => {
    // Messages made of template needles, keywords and the words around them, so that near misses abound.
    const piece = fc.oneof(
      fc.constantFrom(...TEMPLATES.map((t) => t.needle)),
      fc.constantFrom(...CANDIDATE_KEYWORDS),
      fc.constantFrom(' ', 'angel', ' adapter for user u1', ' WebSocket (attempt 2)', ': 429', ' 401 ', 'HTTP/1.1" 429 ', ' for user=u2', ' (attempt 3/50)', 'Handshake status '),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(piece, { maxLength: 6 }).map((ps) => ps.join('')), { maxLength: 20 }), (messages) => {
        expect(classifyAll(messages, true)).toEqual(classifyAll(messages, false));
      }),
      { numRuns: 500 },
    );
  });
});
