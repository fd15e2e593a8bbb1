import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { oa, startStormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

describe('a reader that stops early (`stormcheck verify … | head`)', () => {
  it('leaves the run its own exit code and no stack trace', async () => {
    // 1,500 users refused once each: warnings only (exit 0), and a JSON report far larger than a pipe holds.
    const lines = Array.from({ length: 1_500 }, (_, u) => oa(u * 2_000, `Rejected angel handshake for u${u} with 429`, 'WARNING', 'mock_broker'));
    const log = await tmp.file('refused.log', `${lines.join('\n')}\n`);
    const { child, out, exited } = startStormcheck(['verify', log, '--reporter', 'json']);
    await once(child.stdout, 'data');
    child.stdout.destroy();
    expect(await exited).toBe(0);
    expect(out.stderr).not.toMatch(/EPIPE|Error:|at /);
  });
});
