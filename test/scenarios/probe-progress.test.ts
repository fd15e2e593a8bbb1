import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { probeProgressOnTty } from '../../scenarios/probe/probe-progress.ts';

function stream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: Object.assign(out, { isTTY }) as unknown as NodeJS.WriteStream, text: () => text };
}

describe('probe progress', () => {
  it('on a TTY prints one line per phase and rewrites one counter line in place between them', async () => {
    const tty = stream(true);
    const progress = probeProgressOnTty(tty.stream)!;

    progress.phase('traffic: 2 clients');
    progress.live({ connected: 1, marketData: 5, refusals: 0 });
    progress.live({ connected: 2, marketData: 40, refusals: 1 });
    progress.phase('settling');
    await new Promise((resolve) => setImmediate(resolve));

    expect(tty.text()).toBe(
      'traffic: 2 clients\n' +
        '\r  clients connected 1, ticks 5, refusals 0\x1b[K' +
        '\r  clients connected 2, ticks 40, refusals 1\x1b[K' +
        '\nsettling\n',
    );
  });

  it('writes nothing when stderr is not a TTY', () => {
    expect(probeProgressOnTty(stream(false).stream)).toBeUndefined();
  });
});
