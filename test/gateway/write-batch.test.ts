import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WriteBatch } from '../../gateway/client/write-batch.ts';

/** A sink that records how many chunks each underlying write carried. */
function recordingSink(): { sink: Writable; writes: number[] } {
  const writes: number[] = [];
  const sink = new Writable({
    write(_chunk, _encoding, done) {
      writes.push(1);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.length);
      done();
    },
  });
  return { sink, writes };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('WriteBatch', () => {
  it('coalesces every frame written to a socket within one tick into one write', async () => {
    const batch = new WriteBatch();
    const { sink, writes } = recordingSink();
    for (const frame of ['a', 'b', 'c']) {
      batch.hold(sink);
      sink.write(frame);
    }
    expect(writes).toEqual([]);
    expect(sink.writableLength).toBe(3);
    await nextTick();
    expect(writes).toEqual([3]);
    expect(sink.writableCorked).toBe(0);
  });

  it('uncorks every socket of the burst, each once', async () => {
    const batch = new WriteBatch();
    const first = recordingSink();
    const second = recordingSink();
    for (const { sink } of [first, second, first, second]) {
      batch.hold(sink);
      sink.write('x');
    }
    await nextTick();
    expect(first.writes).toEqual([2]);
    expect(second.writes).toEqual([2]);
  });

  it('starts a new batch after the flush', async () => {
    const batch = new WriteBatch();
    const { sink, writes } = recordingSink();
    batch.hold(sink);
    sink.write('a');
    await nextTick();
    batch.hold(sink);
    sink.write('b');
    sink.write('c');
    await nextTick();
    expect(writes).toEqual([1, 2]);
  });
});
