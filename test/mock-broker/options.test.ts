import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../contract/usage-error.ts';
import { mockBrokerCommand } from '../../mock-broker/command.ts';
import { loadAccounts } from '../../mock-broker/index.ts';
import { ACCOUNT_A, ACCOUNT_B } from '../support/mock-broker-client.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mock-broker-accounts-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function accountsFile(content: string): Promise<string> {
  const file = join(dir, 'accounts.json');
  await writeFile(file, content);
  return file;
}

describe('mock broker accounts file', () => {
  it('reads a valid file', async () => {
    const file = await accountsFile(JSON.stringify([ACCOUNT_A, { ...ACCOUNT_B, extra: 'ignored' }]));

    expect(await loadAccounts(file)).toEqual([ACCOUNT_A, ACCOUNT_B]);
  });

  it.each([
    ['invalid JSON', '{not json', /not valid JSON/],
    ['an object instead of an array', '{"clientCode":"A"}', /expected a JSON array/],
    ['an entry without a feed token', '[{"clientCode":"A","apiKey":"k","authToken":"j"}]', /entry 0 needs non-empty string field\(s\) feedToken/],
    ['an empty client code', '[{"clientCode":" ","apiKey":"k","feedToken":"f","authToken":"j"}]', /entry 0 needs .*clientCode/],
    ['a client code twice', JSON.stringify([ACCOUNT_A, ACCOUNT_A]), /appears twice/],
  ])('refuses %s, naming the file and what to fix', async (_name, content, message) => {
    const file = await accountsFile(content);

    await expect(loadAccounts(file)).rejects.toThrow(message);
    await expect(loadAccounts(file)).rejects.toThrow(file);
  });

  it('refuses a missing file', async () => {
    await expect(loadAccounts(join(dir, 'absent.json'))).rejects.toThrow(/cannot read accounts file .*absent\.json: ENOENT/);
  });
});

describe('mock-broker option validation', () => {
  const defaults = {
    host: '127.0.0.1', port: 9443, limit: 2, 'on-limit': 'reject', 'slot-hold-ms': 0, 'max-tokens': 1000,
    'tick-ms': 100, seed: 1, 'order-limit': 3, 'strict-api-key': false, tls: false, 'log-level': 'info', pretty: false,
    _: [], $0: 'stormcheck',
  };
  const run = (override: Record<string, unknown>) =>
    (mockBrokerCommand.handler as (args: unknown) => Promise<void>)({ ...defaults, ...override });

  it.each([
    [{ port: 70000 }, /^--port must be a whole number from 0 to 65535, got '70000'/],
    [{ port: Number.NaN }, /^--port must be/],
    [{ limit: 0 }, /^--limit must be a whole number of at least 1/],
    [{ 'tick-ms': 1.5 }, /^--tick-ms must be a whole number from 1 to 2147483647/],
    [{ 'slot-hold-ms': -1 }, /^--slot-hold-ms must be a whole number from 0 to 2147483647/],
    [{ 'slot-hold-ms': 2 ** 31 }, /^--slot-hold-ms must be a whole number from 0 to 2147483647/],
    [{ 'order-limit': 0 }, /^--order-limit must be a whole number of at least 1/],
    [{ 'log-level': 'loud' }, /^--log-level must be one of fatal, error, warn, info/],
    [{ cert: '/nonexistent/cert.pem' }, /^--cert and --key go together/],
    [{ cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' }, /^cannot read the TLS certificate file \/nonexistent\/cert\.pem: ENOENT/],
    [{ 'max-tokens': 0 }, /^--max-tokens must be/],
    [{ seed: -3 }, /^--seed must be a whole number from 0/],
    [{ 'on-limit': 'sometimes' }, /^--on-limit must be one of reject, evict-oldest, close-existing/],
    [{ host: ' ' }, /^--host must name an interface/],
    [{ accounts: '/nonexistent/accounts.json' }, /^--accounts: cannot read accounts file/],
  ])('refuses %j with a UsageError naming the option', async (override, message) => {
    const attempt = run(override);

    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(run(override)).rejects.toThrow(message);
  });
});

describe('mock-broker listen failure', () => {
  it('a port in use is the one listen-failure line, naming the address and --port/--host', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const attempt = (mockBrokerCommand.handler as (args: unknown) => Promise<void>)({
        host: '127.0.0.1', port, limit: 2, 'on-limit': 'reject', 'slot-hold-ms': 0, 'max-tokens': 1000, 'tick-ms': 100,
        seed: 1, 'order-limit': 3, 'strict-api-key': false, tls: false, 'log-level': 'silent', pretty: false, _: [], $0: 'stormcheck',
      });

      await expect(attempt).rejects.toThrow(new UsageError(`cannot listen on 127.0.0.1:${port} (EADDRINUSE: port already in use); pick another --port/--host`));
    } finally {
      taken.close();
    }
  });
});
