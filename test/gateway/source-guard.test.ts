import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_LIMITS, SourceGuard, TrustedProxies } from '../../gateway/client/source-guard.ts';
import { retryAfterMs } from '../../gateway/upstream/upstream-socket.ts';
import { FakeClock } from '../support/gateway-fakes.ts';

describe('TrustedProxies (--trust-proxy)', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', 'fd00::/8']);

  it('takes the right-most X-Forwarded-For hop that is not a trusted proxy', () => {
    expect(proxies.clientAddress('10.1.2.3', '198.51.100.7, 203.0.113.5, 10.9.9.9')).toBe('203.0.113.5');
    expect(proxies.clientAddress('::ffff:10.1.2.3', '203.0.113.5')).toBe('203.0.113.5');
    expect(proxies.clientAddress('fd00::1', ['2001:db8::1', '10.0.0.2'])).toBe('2001:db8::1');
  });

  it('ignores X-Forwarded-For from anyone else, and hops that are not addresses', () => {
    expect(proxies.clientAddress('203.0.113.5', '1.2.3.4')).toBe('203.0.113.5');
    expect(proxies.clientAddress('10.1.2.3', 'garbage, unknown')).toBe('10.1.2.3');
    expect(new TrustedProxies([]).clientAddress('10.1.2.3', '1.2.3.4')).toBe('10.1.2.3');
  });

  it('refuses what is not a CIDR', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow('bad prefix length');
    expect(() => new TrustedProxies(['example.com'])).toThrow('not an IP address');
  });
});

describe('SourceGuard', () => {
  it('counts wrong keys per address with a growing delay, then refuses the address until the block ends', () => {
    const clock = new FakeClock();
    const guard = new SourceGuard({ ...DEFAULT_SOURCE_LIMITS, authFailuresBeforeBlock: 3, authBlockMs: 1_000 }, clock, 100);
    expect(guard.authFailed('a')).toEqual({ delayMs: 100, blocked: false, justBlocked: false });
    expect(guard.authFailed('a')).toEqual({ delayMs: 200, blocked: false, justBlocked: false });
    expect(guard.authFailed('a')).toEqual({ delayMs: 400, blocked: true, justBlocked: true });
    expect(guard.admit('a')).toBe('auth_blocked');
    expect(guard.admit('b')).toBeUndefined();
    clock.advance(1_000);
    expect(guard.admit('a')).toBeUndefined();
  });

  it('forgets an address that holds nothing and sent no recent wrong key', () => {
    const clock = new FakeClock();
    const guard = new SourceGuard(DEFAULT_SOURCE_LIMITS, clock, 100);
    expect(guard.pendingStarted('a')).toBe(true);
    expect(guard.admit('a')).toBeUndefined();
    guard.pendingEnded('a');
    guard.authenticated('a');
    guard.closed('a', true);
    expect(guard.size).toBe(0);
  });
});

describe('Retry-After of a refused upstream handshake', () => {
  it('reads delay-seconds and HTTP dates, capped at 5 minutes', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('86400', now)).toBe(300_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
