import { describe, expect, it } from 'vitest';
import { stormcheckInProcess } from '../support/run-cli-in-process.ts';

describe('gateway --cluster when Redis is unavailable', () => {
  it.each([
    [['--cluster', 'http://127.0.0.1:6379'], '--cluster must be a redis:// or rediss:// URL'],
    [['--cluster', 'redis://127.0.0.1:6379/0', '--registry', 'legacy'], '--cluster needs --registry singleton'],
    [['--cluster', 'redis://127.0.0.1:6379/0', '--lease-ttl-ms', '100'], "--lease-ttl-ms must be a whole number of at least 300, got '100'"],
    [['--cluster', 'redis://127.0.0.1:6379/0', '--cluster-secret', 'short'], '--cluster-secret must be at least 16 bytes'],
    [['--cluster', 'redis://127.0.0.1:6379/0', '--cluster-prefix', 'a b'], '--cluster-prefix must be 1–64 letters'],
    [['--cluster', 'htp://:hunter2-secret@127.0.0.1'], "got 'htp://:***@127.0.0.1'"],
    [['--trust-proxy', '10.0.0.0/33'], '--trust-proxy: bad prefix length'],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await stormcheckInProcess(['gateway', '--port', '0', '--admin-port', '0', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
