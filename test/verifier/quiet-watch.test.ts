import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { HELD_LINE_GRACE_MS } from '../../verifier/input/quiet-watch.ts';
import { readInput } from '../../verifier/read-input.ts';
import { FakeClock } from '../support/gateway-fakes.ts';
import { adapter429, connecting, createNew, goodbye429, oa } from '../support/log-shapes.ts';

const init = (ms: number) => oa(ms, 'BaseBrokerWebSocketAdapter initializing', 'INFO', 'base_adapter');
const tick = (ms: number) => oa(ms, 'Tick for token: [REDACTED] ltp 1.00 volume 5', 'DEBUG', 'angel_mapping');

/** A followed log read in-process on a fake clock: `write` resolves once its lines have been read. */
function followedLog() {
  const clock = new FakeClock();
  const stream = new PassThrough();
  const events: LogEvent[] = [];
  let released = 0;
  let read: (() => void) | undefined;
  const done = readInput(
    { name: 'app.log', stream, followed: { clock } },
    {
      format: 'auto',
      year: 2025,
      patternRules: [],
      onEvent: (ev) => events.push(ev),
      onBytes: () => read?.(),
      onReleased: () => released++,
    },
  );
  return {
    clock,
    kinds: () => events.map((ev) => ev.kind),
    events,
    released: () => released,
    write: (lines: string[]) =>
      new Promise<void>((resolve) => {
        read = resolve;
        stream.write(lines.map((l) => `${l}\n`).join(''));
      }),
    end: async () => {
      stream.end();
      await done;
    },
  };
}

describe('a followed log lets a line held for its partner through once it has been quiet', () => {
  it('a goodbye refusal as the last line is counted once the log has been quiet for the grace, not a millisecond before', async () => {
    const log = followedLog();
    await log.write([connecting(900, 1), goodbye429(1_000)]);
    log.clock.advance(HELD_LINE_GRACE_MS - 1);
    expect(log.kinds()).toEqual(['attempt']);
    log.clock.advance(1);
    expect(log.kinds()).toEqual(['attempt', 'refused']);
    expect(log.events[1]).toMatchObject({ broker: 'angel', ref: { line: 2 } });
    expect(log.released()).toBe(1);
    expect(log.clock.pending()).toEqual([]);
    await log.end();
    expect(log.kinds()).toEqual(['attempt', 'refused']);
  });

  it("the adapter's line about the same refusal, read just within the grace, still pairs with the goodbye", async () => {
    const log = followedLog();
    await log.write([goodbye429(1_000)]);
    log.clock.advance(HELD_LINE_GRACE_MS - 1);
    await log.write([adapter429(1_000)]);
    log.clock.advance(10 * HELD_LINE_GRACE_MS);
    await log.end();
    expect(log.events).toEqual([expect.objectContaining({ kind: 'refused', broker: 'angel', ref: { file: 'app.log', line: 2 } })]);
  });

  it('ticks arriving all the while, which no rule reads, do not hold the goodbye back', async () => {
    const log = followedLog();
    await log.write([connecting(900, 1), goodbye429(1_000)]);
    for (let ms = 1_200; ms <= 1_800; ms += 300) {
      log.clock.advance(300);
      await log.write([tick(ms)]);
    }
    log.clock.advance(HELD_LINE_GRACE_MS - 900);
    expect(log.kinds()).toEqual(['attempt', 'refused']);
    await log.end();
  });

  it('an initialisation no creation has claimed is counted as one once the quiet outlasts the span a creation may still come in', async () => {
    const log = followedLog();
    await log.write([init(0)]);
    log.clock.advance(HELD_LINE_GRACE_MS);
    expect(log.kinds()).toEqual([]);
    log.clock.advance(10_000);
    expect(log.events).toEqual([expect.objectContaining({ kind: 'create', ref: { file: 'app.log', line: 1 } })]);
    expect(log.clock.pending()).toEqual([]);
    await log.end();
    expect(log.kinds()).toEqual(['create']);
  });

  it('a creation read seconds of quiet after its initialisation, within the span, is still one creation', async () => {
    const log = followedLog();
    await log.write([init(0)]);
    log.clock.advance(3_000);
    await log.write([createNew(3_000)]);
    log.clock.advance(10_000);
    await log.end();
    expect(log.events).toEqual([expect.objectContaining({ kind: 'create', user: 'rajandran', ref: { file: 'app.log', line: 2 } })]);
  });

  it('nothing held, no timer armed: a quiet log with no partner awaited costs nothing', async () => {
    const log = followedLog();
    await log.write([connecting(0, 1)]);
    expect(log.clock.pending()).toEqual([]);
    await log.end();
  });
});
