import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitOnInterrupt } from '../../contract/interrupt.ts';

/** A process that records its exit instead of ending, and the lines written. */
function fakeIo() {
  const emitter = new EventEmitter();
  const lines: string[] = [];
  let exited: ((code: number) => void) | undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const process = Object.assign(emitter, { exit: (code?: number) => exited!(code ?? 0) as never });
  return { io: { process, writeLine: (line: string) => lines.push(line) }, emitter, lines, exit };
}

describe('exitOnInterrupt', () => {
  it('SIGTERM: one line saying what was running, cleanups newest first, a failing one reported, exit 143', async () => {
    const { io, emitter, lines, exit } = fakeIo();
    const order: string[] = [];
    const stop = exitOnInterrupt('reproduce', () => 'while running singleton', io as never);
    stop.onInterrupt(() => void order.push('print partial'));
    stop.onInterrupt(() => {
      throw new Error('disk gone');
    });
    stop.onInterrupt(async (signal) => void order.push(`remove temp on ${signal}`));
    const removed = stop.onInterrupt(() => void order.push('unregistered'));
    removed();

    emitter.emit('SIGTERM');

    expect(await exit).toBe(143);
    expect(order).toEqual(['remove temp on SIGTERM', 'print partial']);
    expect(lines).toEqual(['stormcheck reproduce: interrupted by SIGTERM while running singleton', 'stormcheck reproduce: while stopping: disk gone']);
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
  });

  it('SIGINT exits 130; after dispose the signals are no longer its', async () => {
    const { io, emitter, exit } = fakeIo();
    exitOnInterrupt('verify', () => 'while reading app.log', io as never);
    emitter.emit('SIGINT');
    expect(await exit).toBe(130);

    const other = fakeIo();
    exitOnInterrupt('verify', () => '', other.io as never).dispose();
    expect(other.emitter.listenerCount('SIGINT') + other.emitter.listenerCount('SIGTERM')).toBe(0);
  });
});
