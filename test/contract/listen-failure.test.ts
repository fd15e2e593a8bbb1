import { describe, expect, it } from 'vitest';
import { isListenFailure, listenFailureMessage } from '../../contract/listen-failure.ts';

describe('the listen-failure line', () => {
  it('names the address, the reason and the options to change', () => {
    expect(listenFailureMessage('EADDRINUSE', '127.0.0.1', 8765, '--port/--host', 8765)).toBe(
      'cannot listen on 127.0.0.1:8765 (EADDRINUSE: port already in use); pick another --port/--host',
    );
    expect(listenFailureMessage('EADDRNOTAVAIL', '10.9.9.9', 0, '--admin-port/--admin-host', 8766)).toBe(
      'cannot listen on 10.9.9.9:0 (EADDRNOTAVAIL: address not available here); pick another --admin-port/--admin-host',
    );
  });

  it('for a privileged port, offers the unprivileged port with a loopback forward, or the capability', () => {
    const message = listenFailureMessage('EACCES', '0.0.0.0', 443, '--port/--host', 9443);

    expect(message).toMatch(/^cannot listen on 0\.0\.0\.0:443 \(EACCES: ports below 1024 need privileges\); pick another --port\/--host/);
    // A rule for -d 0.0.0.0 matches no packet: clients on this host dial 127.0.0.1.
    expect(message).toContain('sudo iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport 443 -j REDIRECT --to-ports 9443');
    expect(message).toContain('--port 9443 with a forward from 443');
    expect(message).toContain('setcap cap_net_bind_service=+ep');
    expect(message).not.toContain('\n');
  });

  it('an EACCES above 1024 is plain permission denied', () => {
    expect(listenFailureMessage('EACCES', '127.0.0.1', 8080, '--port/--host', 8765)).toBe(
      'cannot listen on 127.0.0.1:8080 (EACCES: permission denied); pick another --port/--host',
    );
  });

  it('knows which errors are listen failures', () => {
    expect(isListenFailure(Object.assign(new Error('x'), { code: 'EADDRINUSE' }))).toBe(true);
    expect(isListenFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isListenFailure(Object.assign(new Error('x'), { code: 'constructor' }))).toBe(false);
    expect(isListenFailure(new Error('x'))).toBe(false);
    expect(isListenFailure(undefined)).toBe(false);
  });
});
