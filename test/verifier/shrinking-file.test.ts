import { truncate } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openInput, READ_CHUNK } from '../../verifier/input/open-input.ts';
import { DEFAULT_OPTIONS, verifyInputs } from '../../verifier/verify.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const LINE = '[2025-11-11 09:45:49,179] INFO in angel_adapter: Connected to Angel WebSocket\n';

const tmp = tempDirPerTest();

describe('a file that shrinks while it is read', () => {
  it('is reported as unreadable in part: exit 2, and with skipUnreadable judged as far as it was read and counted', async () => {
    const file = `${tmp.dir}/app.log`;
    const truncatedAfterFirstChunk = async () => {
      await tmp.file('app.log', LINE.repeat(Math.ceil((3 * READ_CHUNK) / LINE.length)));
      const source = await openInput(file);
      async function* stream() {
        let first = true;
        for await (const chunk of source.stream) {
          yield chunk;
          // copytruncate by logrotate, while the read of the next chunk is already under way
          if (first) await truncate(file, READ_CHUNK + READ_CHUNK / 2);
          first = false;
        }
      }
      return { name: source.name, stream: stream() };
    };

    const closed = await verifyInputs([{ group: file, explicit: true, endsGroup: true, open: truncatedAfterFirstChunk }], DEFAULT_OPTIONS);
    expect(closed.exitCode).toBe(2);
    expect(closed.unreadable).toEqual([{ file, reason: expect.stringMatching(/^shrank from \d+ to \d+ bytes while it was read \(truncated\)/) }]);

    const skipped = await verifyInputs([{ group: file, explicit: true, endsGroup: true, open: truncatedAfterFirstChunk }], { ...DEFAULT_OPTIONS, skipUnreadable: true });
    expect(skipped.exitCode).toBe(0);
    expect(skipped.unreadableCount).toBe(1);
    expect(skipped.linesRead).toBeGreaterThan(0);
  });
});
