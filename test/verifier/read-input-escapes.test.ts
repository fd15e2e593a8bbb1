import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { readInput } from '../../verifier/read-input.ts';

async function kinds(text: string): Promise<string[]> {
  const events: LogEvent[] = [];
  const bytes = Buffer.from(text);
  await readInput(
    { name: 'x.log', stream: (async function* () { yield bytes; })() },
    { format: 'auto', year: 2025, patternRules: [], onEvent: (ev) => events.push(ev) },
  );
  return events.map((e) => e.kind);
}

describe('a keyword that only the decoded text holds', () => {
  // The line is read because of `429`; `Creating` is split by a colour code in the bytes.
  it('is found once colour codes are removed', async () => {
    const line = '[2025-11-11 09:45:50,001] INFO in broker_factory: Cre\x1b[0mating NEW angel adapter for user meera (429 later)\n';
    expect(await kinds(line)).toEqual(['create']);
  });

  it('is found once JSON escapes are decoded (a container runtime prefix makes the line a head by its first bytes)', async () => {
    const line = '2025-11-11T09:45:50.001Z stdout F {"level":30,"time":1762854350001,"msg":"\\u0043reating NEW angel adapter for user meera (429 later)"}\n';
    expect(await kinds(line)).toEqual(['create']);
  });
});
