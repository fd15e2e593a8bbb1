import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultReplayFile, readReplayFile, writeReplayFile } from '../../scenarios/explore/replay-file.ts';
import type { ExplorePlan } from '../../scenarios/explore/explore-plan.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const plan: ExplorePlan = {
  version: 1,
  seed: 12,
  clientActions: [
    { atMs: 0, action: 'connect', client: 0 },
    { atMs: 0, action: 'authenticate', client: 0 },
    { atMs: 0, action: 'subscribe', client: 0, symbols: [{ symbol: 'SBIN', exchange: 'NSE' }], mode: 2 },
    { atMs: 400, action: 'leave', clients: [0], abrupt: false },
    { atMs: 500, action: 'return', clients: 'all' },
    { atMs: 600, action: 'unsubscribe', client: 0, symbols: [{ symbol: 'SBIN', exchange: 'NSE' }], mode: 2 },
    { atMs: 900, action: 'end', watchMs: 1000 },
  ],
  faults: [{ atMs: 100, after: { firstConnection: 'DEMO1' }, fault: { type: 'drop-all', mode: 'close', code: 1001, clientCode: 'DEMO1' } }],
};

describe('replay files', () => {
  const tmp = tempDirPerTest();

  it('are named after the seed by default', () => {
    expect(defaultReplayFile(7)).toBe('probe-replay-7.json');
  });

  it('are the fault plan format of the mock broker: written, read back the same', async () => {
    const file = path.join(tmp.dir, 'replay.json');
    await writeReplayFile(file, plan);

    expect(await readReplayFile(file)).toEqual({ ok: true, value: plan });
  });

  it.each([
    ['an unknown action', { atMs: 0, action: 'dance', client: 0 }, 'clientActions[0].action must be one of connect, authenticate'],
    ['a client out of range', { atMs: 0, action: 'connect', client: 200 }, 'clientActions[0].client must be a client number from 0 to 199'],
    ['a field the action does not take', { atMs: 0, action: 'leave', clients: 'all', abrupt: true, client: 1 }, 'clientActions[0] (leave) takes no field "client"'],
    ['a bad mode', { atMs: 0, action: 'subscribe', client: 0, symbols: [{ symbol: 'X', exchange: 'NSE' }], mode: 4 }, 'clientActions[0].mode must be 1 (LTP), 2 (Quote) or 3 (Depth)'],
    ['an empty client set', { atMs: 0, action: 'return', clients: [] }, 'clientActions[0].clients must be "all" or a non-empty array'],
  ])('with %s are refused, naming the file and the field', async (_, action, message) => {
    const file = await tmp.file('bad.json', JSON.stringify({ version: 1, clientActions: [action], faults: [] }));

    const read = await readReplayFile(file);

    expect(read.ok).toBe(false);
    expect(!read.ok && read.error).toContain(`${file}: ${message}`);
  });

  it('with a bad fault get the broker\'s own message for it', async () => {
    const file = await tmp.file('bad-fault.json', JSON.stringify({ ...plan, faults: [{ atMs: 0, after: 'start', fault: { type: 'stall' } }] }));

    const read = await readReplayFile(file);

    expect(!read.ok && read.error).toMatch(/faults\[0\]\.fault: stall needs "ms"/);
  });

  it('without client actions, or missing, cannot be replayed', async () => {
    const empty = await tmp.file('empty.json', JSON.stringify({ version: 1, clientActions: [], faults: [] }));
    expect(await readReplayFile(empty)).toEqual({ ok: false, error: `${empty}: clientActions is empty; a replay needs the clients' actions` });
    const missing = path.join(tmp.dir, 'nope.json');
    expect(await readReplayFile(missing)).toEqual({ ok: false, error: `cannot read the replay file ${missing}: ENOENT` });
  });
});
