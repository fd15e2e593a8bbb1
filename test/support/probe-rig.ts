import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startMockBroker } from '../../mock-broker/index.ts';
import type { MockBroker } from '../../mock-broker/types.ts';
import { startGateway } from '../../gateway/index.ts';
import type { Gateway, RegistryMode } from '../../gateway/index.ts';
import { GatewayLogCapture } from '../../scenarios/reproduce/gateway-log-capture.ts';

export interface ProbeRig {
  broker: MockBroker;
  gateway: Gateway;
  logFile: string;
}

export interface ProbeRigs {
  /** A mock broker (limit 2) behind a gateway in `mode`, the gateway logging to a real file. */
  rig(mode: RegistryMode, timeScale?: number): Promise<ProbeRig>;
  /** A fresh temporary folder. */
  tempDir(): Promise<string>;
}

/** Probe tests' set-up: every rig and folder made during a test is closed or removed after it, newest first. */
export function probeRigsPerTest(): ProbeRigs {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'stormcheck-probe-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  return {
    tempDir,
    async rig(mode, timeScale = 1) {
      const logFile = join(await tempDir(), 'gateway.log');
      const log = new GatewayLogCapture(logFile);
      cleanups.push(() => log.finish());
      const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent' });
      cleanups.push(() => broker.close());
      const gateway = await startGateway({ host: '127.0.0.1', port: 0, adminPort: 0, brokerUrl: broker.url, registry: mode, logDestination: log.destination, legacy: { timeScale } });
      cleanups.push(() => gateway.close());
      return { broker, gateway, logFile };
    },
  };
}
