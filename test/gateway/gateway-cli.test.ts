import { describe, expect, it } from 'vitest';

/** The arguments yargs hands the gateway's handler when only the defaults apply. */
const ARGS = { host: '127.0.0.1', port: 0, 'broker-url': 'ws://127.0.0.1:9443/smart-stream', 'admin-port': 0, 'admin-host': '127.0.0.1', 'log-level': 'info', 'max-reconnect': 5, 'linger-ms': 0, 'max-upstream': 2, snapshot: true, 'lease-ttl-ms': 6000, 'cluster-prefix': 'stormcheck', 'max-pending-per-source': 1024, 'max-connections-per-source': 1200, 'max-unauthenticated-per-source': 1024, 'auth-failures-per-source': 20, 'auth-block': '60s', 'time-scale': 1 } as const;

describe('stormcheck gateway CLI', () => {
  it('--registry legacy is legacy-2025: the optionsFromArgs mapping keeps the alias, startGateway resolves it', async () => {
    const { optionsFromArgs } = await import('../../gateway/command.ts');
    const { resolveRegistry } = await import('../../gateway/registry/registry.ts');
    const base = { ...ARGS, pretty: false, 'log-format': 'openalgo' } as const;
    const options = optionsFromArgs({ ...base, registry: 'legacy', 'time-scale': 0.5 });
    expect(resolveRegistry(options.registry!)).toBe('legacy-2025');
    expect(options.legacy).toEqual({ timeScale: 0.5 });
    expect(options.logFormat).toBe('openalgo');
    expect(options.pretty).toBe(false);
    expect(optionsFromArgs({ ...base, registry: 'singleton' }).legacy).toEqual({ timeScale: 1 });
  });

  it('--pretty follows the terminal unless given: --no-pretty keeps JSON lines on a terminal', async () => {
    const { optionsFromArgs } = await import('../../gateway/command.ts');
    const base = { ...ARGS, 'log-format': 'json', registry: 'singleton' } as const;
    const wasTty = process.stdout.isTTY;
    try {
      process.stdout.isTTY = true;
      expect(optionsFromArgs(base).pretty).toBe(true);
      expect(optionsFromArgs({ ...base, pretty: false }).pretty).toBe(false);
      process.stdout.isTTY = false;
      expect(optionsFromArgs(base).pretty).toBe(false);
      expect(optionsFromArgs({ ...base, pretty: true }).pretty).toBe(true);
    } finally {
      process.stdout.isTTY = wasTty;
    }
  });
});
