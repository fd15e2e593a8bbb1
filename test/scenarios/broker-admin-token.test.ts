import { afterEach, describe, expect, it } from 'vitest';
import { startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { BrokerAdminClient, nodeAdminTransport } from '../../scenarios/probe/broker-admin-client.ts';

let broker: MockBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

// A mock started with --admin-token answers 401 to an admin request without it: probe, --explore and
// --replay read its record with the same token (STORMCHECK_ADMIN_TOKEN, the mock's own default).
describe('the probe\'s admin client against a mock broker with --admin-token', () => {
  it('reads the record when it sends the token', async () => {
    broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent', adminToken: 's3cret' });
    const record = await new BrokerAdminClient(broker.adminUrl, 5000, nodeAdminTransport('s3cret')).record();
    expect(record.events).toEqual([]);
  });

  it('is refused, naming the 401, without it', async () => {
    broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent', adminToken: 's3cret' });
    await expect(new BrokerAdminClient(broker.adminUrl, 5000, nodeAdminTransport(undefined)).record()).rejects.toThrow(/401/);
  });

  it('takes the token from STORMCHECK_ADMIN_TOKEN by default', async () => {
    broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent', adminToken: 'from-env' });
    const before = process.env.STORMCHECK_ADMIN_TOKEN;
    process.env.STORMCHECK_ADMIN_TOKEN = 'from-env';
    try {
      expect((await new BrokerAdminClient(broker.adminUrl).record()).events).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.STORMCHECK_ADMIN_TOKEN;
      else process.env.STORMCHECK_ADMIN_TOKEN = before;
    }
  });
});
