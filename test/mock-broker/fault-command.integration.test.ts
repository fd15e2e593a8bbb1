import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';
import { ACCOUNT_A, handshake, mockBrokersPerTest, sdkHeaders } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest();

// Each call starts node: seconds on a loaded 2-core machine.
describe('stormcheck fault, the built CLI', { timeout: 60_000 }, () => {
  it('injects with the token from STORMCHECK_ADMIN_TOKEN, and the broker acts on it', async () => {
    const b = await start({ adminToken: 'env-token' });

    const injected = await stormcheck(['fault', b.adminUrl, 'handshake-quota', '--per-window', '1', '--window-ms', '60000', '--retry-after-seconds', '30'], {
      env: { ...process.env, STORMCHECK_ADMIN_TOKEN: 'env-token' },
    });
    const first = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const second = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(injected).toMatchObject({ code: 0, stderr: '' });
    expect(injected.stdout).toBe('injected 1 (handshake-quota): 0 connection(s) affected; active until it ends or is cleared\n');
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, status: 429 });
  });

  it('exits 2 with one line for a bad field, before contacting anything', async () => {
    const { code, stdout, stderr } = await stormcheck(['fault', 'http://127.0.0.1:9', 'latency', '--ms', '-5']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('stormcheck: latency --ms must be an integer from 0 to 2147483647\n');
  });
});
