import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.ts';
import type { MockBroker } from '../../mock-broker/index.ts';
import { selfSignedAngelCertificate } from '../../mock-broker/tls-credentials.ts';
import { connect, mockBrokersPerTest } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest();

afterEach(() => {
  process.exitCode = undefined;
});

/** `stormcheck fault …` in this process, against a broker this test started; stdout and stderr captured. */
async function fault(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['fault', ...args]);
    const text = (spy: typeof stdout) => spy.mock.calls.map((call) => String(call[0])).join('');
    return { code, stdout: text(stdout), stderr: text(stderr) };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('stormcheck fault', () => {
  it('injects a fault from kebab-case options, lists it, and clears it by id', async () => {
    const b = await start();
    await connect(b.url);

    const injected = await fault([b.adminUrl, 'latency', '--ms', '200', '--jitter-ms', '20', '--client-code', 'A123', '--id', 'slow', '--ttl-ms', '60000']);
    const listed = await fault([b.adminUrl, 'list']);
    const cleared = await fault([b.adminUrl, 'clear', 'slow']);

    expect(injected).toEqual({ code: 0, stdout: 'injected slow (latency): 1 connection(s) affected; active until it ends or is cleared\n', stderr: '' });
    expect(listed.stdout).toMatch(/^slow\tlatency --ms 200 --jitter-ms 20 --client-code A123 --ttl-ms 60000\tends \d{4}-\d\d-\d\dT/);
    expect(cleared.stdout).toBe('cleared slow\n');
    expect(b.activeFaults()).toEqual([]);
  });

  it('clear alone removes every fault; reset also clears the record', async () => {
    const b = await start();
    await fault([b.adminUrl, 'half-open']);
    await fault([b.adminUrl, 'handshake-quota', '--per-window', '3', '--window-ms', '60000']);
    await connect(b.url);

    expect((await fault([b.adminUrl, 'clear'])).stdout).toBe('cleared 2 fault(s)\n');
    expect((await fault([b.adminUrl, 'list'])).stdout).toBe('no active faults\n');
    expect((await fault([b.adminUrl, 'reset'])).code).toBe(0);
    expect(b.events()).toEqual([]);
  });

  it.each([
    [['latency', '--ms', 'soon'], 'latency --ms must be an integer from 0 to 2147483647'],
    [['handshake-quota', '--per-window', '0', '--window-ms', '1000'], 'handshake-quota --per-window must be a positive integer'],
    [['bandwidth'], 'bandwidth needs --bytes-per-second: a positive integer'],
    [['drop-all', '--ttl-ms', '5'], 'drop-all takes no --ttl-ms; its options: --mode, --code, --id, --probability, --client-code, --endpoint'],
    [['latncy', '--ms', '5'], 'unknown action "latncy"; did you mean latency?'],
    [['list', '--ms', '5'], 'list takes no --ms'],
    [['outage', '--duration-ms', '10', '--probability', '2'], 'outage --probability must be a number above 0 and at most 1'],
    [['stall', '--ms', '10', '--endpoint', 'smart-steam'], 'stall --endpoint must be "smart-stream" or "smart-order-update"'],
  ])('exits 2 with one line naming the field for %j, and sends nothing', async (args, message) => {
    const b = await start();

    const { code, stdout, stderr } = await fault([b.adminUrl, ...args]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
    expect(b.faultEvents()).toEqual([]);
  });

  it('exits 2 for a URL that is not the mock\'s and for a mock that is not there', async () => {
    const b = await start();
    const port = b.port;
    await b.close();

    const notUrl = await fault(['127.0.0.1:9443', 'list']);
    const gone = await fault([`http://127.0.0.1:${port}`, 'list']);

    expect([notUrl.code, gone.code]).toEqual([2, 2]);
    expect(notUrl.stderr).toContain("<mock-url> must be the mock broker's http(s):// or ws(s):// URL");
    expect(gone.stderr).toContain(`cannot reach the mock broker at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('works over https with --admin-token, and says what to do without it', async () => {
    const b: MockBroker = await start({ tls: await selfSignedAngelCertificate(), adminToken: 'tok-9' });

    const without = await fault([b.adminUrl, 'list']);
    const withToken = await fault([b.url, 'reject-next', '--count', '2', '--admin-token', 'tok-9']);

    expect(b.adminUrl).toMatch(/^https:/);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('GET /__admin/faults answered HTTP 401: missing or wrong admin token');
    expect(without.stderr).toContain('pass --admin-token or set STORMCHECK_ADMIN_TOKEN');
    expect(withToken).toMatchObject({ code: 0, stdout: 'injected 1 (reject-next): 0 connection(s) affected; active until it ends or is cleared\n' });
  });
});
