import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError, connectRedis } from '../../gateway/cluster/redis-connection.ts';
import { freePort } from '../support/redis-server.ts';

describe('cluster Redis connection', () => {
  it('says in one line that Redis cannot be reached', async () => {
    const port = await freePort();
    const attempt = connectRedis(`redis://127.0.0.1:${port}/0`, 300);
    await expect(attempt).rejects.toThrow(ClusterUnavailableError);
    await expect(attempt).rejects.toThrow(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/0: [^\\n]+$`));
  });
});
