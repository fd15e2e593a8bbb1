import { describe, expect, it } from 'vitest';
import { listenFailure } from '../../mock-broker/command.ts';

describe('stormcheck mock-broker', () => {
  it('says how to fix EACCES on port 443: setcap, or --port with a forward', () => {
    const message = listenFailure('EACCES', '0.0.0.0', 443);

    expect(message).toContain('cannot listen on 0.0.0.0:443 (EACCES');
    expect(message).toContain('setcap cap_net_bind_service=+ep');
    expect(message).toMatch(/--port 9443 and forward 443 to it/);
    expect(message).not.toContain('\n');
  });
});
