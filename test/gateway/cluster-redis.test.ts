import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError, connectRedis, redactRedisUrl } from '../../gateway/cluster/redis-connection.ts';
import { freePort } from '../support/free-port.ts';

describe('cluster Redis connection', () => {
  it('says in one line that Redis cannot be reached', async () => {
    const port = await freePort();
    const attempt = connectRedis(`redis://127.0.0.1:${port}/0`, 300);
    await expect(attempt).rejects.toThrow(ClusterUnavailableError);
    await expect(attempt).rejects.toThrow(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/0: [^\\n]+$`));
  });

  it('names the command and the cause, and never shows the password', async () => {
    const port = await freePort();
    const attempt = connectRedis(`redis://:s3cret-pass@127.0.0.1:${port}/0`, 300);
    const message = await attempt.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message).toMatch(new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0: connect failed: .*ECONNREFUSED`));
    expect(message).not.toContain('s3cret-pass');
  });

  it('redacts the password of any Redis URL, user names kept', () => {
    expect(redactRedisUrl('rediss://stormcheck:p%40ss@redis.internal:6380/0')).toBe('rediss://stormcheck:***@redis.internal:6380/0');
    expect(redactRedisUrl('redis://127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
    expect(redactRedisUrl('redis://:pw@[bad')).toBe('redis://***@[bad');
  });
});
