import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OnTestFinishedHandler } from 'vitest';
import { startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { startGateway } from '../../gateway/index.ts';
import type { Gateway, RegistryMode } from '../../gateway/index.ts';
import { GatewayLogCapture } from '../../scenarios/reproduce/gateway-log-capture.ts';

export interface ProbeRig {
  broker: MockBroker;
  gateway: Gateway;
  logFile: string;
}

/** The running test's `onTestFinished`: clean-ups run when that test ends, newest first, even beside concurrent tests. */
export type OnFinished = (cleanup: OnTestFinishedHandler) => void;

/** A fresh temporary folder, removed when the test ends. */
export async function probeTempDir(onFinished: OnFinished): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcheck-probe-test-'));
  onFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A mock broker (limit 2) behind a gateway in `mode`, the gateway logging to a real file; all closed when the test ends. */
export async function probeRig(onFinished: OnFinished, mode: RegistryMode, timeScale = 1): Promise<ProbeRig> {
  const logFile = join(await probeTempDir(onFinished), 'gateway.log');
  const log = new GatewayLogCapture(logFile);
  onFinished(() => log.finish());
  const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent' });
  onFinished(() => broker.close());
  const gateway = await startGateway({ host: '127.0.0.1', port: 0, adminPort: 0, brokerUrl: broker.url, registry: mode, logDestination: log.destination, legacy: { timeScale } });
  onFinished(() => gateway.close());
  return { broker, gateway, logFile };
}
