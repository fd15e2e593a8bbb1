import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

describe('stormcheck gateway CLI', () => {
  it('--help describes the options with an example', async () => {
    const { code, stdout } = await stormcheck(['gateway', '--help']);
    expect(code).toBe(0);
    for (const option of ['--broker-url', '--registry', '--users', '--instruments', '--admin-port', '--max-reconnect', '--linger-ms', '--pretty', '--admin-host', '--admin-token', '--log-level', 'STORMCHECK_ADMIN_TOKEN', '--log-format', '--time-scale', 'legacy-2026', '--cluster', '--lease-ttl-ms', '--gateway-id']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('Examples:');
  });

  const dir = mkdtempSync(join(tmpdir(), 'gateway-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const badJson = join(dir, 'not-an-array.json');
  writeFileSync(badJson, '{"not":"an array"}');
  const free = ['--port', '0', '--admin-port', '0'];
  it.each([
    [['--port', 'abc'], '--port'],
    [['--port', '0', '--admin-port', '70000'], '--admin-port'],
    [[...free, '--max-reconnect', '0'], '--max-reconnect'],
    [[...free, '--registry', 'fancy'], '--registry'],
    [[...free, '--registry', 'legacy-2025', '--time-scale', '-1'], '--time-scale'],
    [[...free, '--log-format', 'xml'], '--log-format'],
    [[...free, '--log-level', 'loud'], 'log-level'],
    [[...free, '--broker-url', 'http://x'], '--broker-url'],
    [[...free, '--users', join(dir, 'missing.json')], 'missing.json'],
    [[...free, '--users', badJson], badJson],
    [[...free, '--instruments', badJson], badJson],
  ])('gateway %j exits 2 with one line naming %s', async (args, mention) => {
    const { code, stderr } = await stormcheck(['gateway', ...args]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(mention);
  });
});
