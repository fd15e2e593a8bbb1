import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

describe('operability (issue 13 item 8)', () => {
  it('EADDRINUSE from the CLI names the port and the option to change', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const { code, stderr } = await stormcheck(['gateway', '--port', String(port), '--admin-port', '0']);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`127.0.0.1:${port} (EADDRINUSE: port already in use); pick another --port/--host`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
