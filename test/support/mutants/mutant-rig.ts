import { join } from 'node:path';
import { startMockBroker, type MockBroker, type MockBrokerOptions } from '../../../mock-broker/index.ts';
import { startGateway, type Gateway } from '../../../gateway/index.ts';
import { GatewayLogCapture } from '../../../scenarios/reproduce/gateway-log-capture.ts';
import { probeTempDir, type OnFinished } from '../probe-rig.ts';
import { mutantSetup, type BankEntry } from './bank.ts';

export interface MutantRig {
  broker: MockBroker;
  gateway: Gateway;
  /** The gateway's pino log, a real file (for `--log` and for verify). */
  logFile: string;
}

export interface MutantRigOptions {
  /** The legacy registries' `--time-scale`; default 1 (OpenAlgo's own delays). */
  legacyTimeScale?: number;
  broker?: MockBrokerOptions;
}

/**
 * A mock broker (limit 2) on port 0 and a gateway carrying `entry` of the bank on port 0 in front of it,
 * for the demo user (`demo-api-key`); the gateway logs to a file. Everything is closed, and the
 * mechanism's own sockets ended, when the test ends.
 */
export async function mutantRig(onFinished: OnFinished, entry: BankEntry, options: MutantRigOptions = {}): Promise<MutantRig> {
  const logFile = join(await probeTempDir(onFinished), `${entry}.log`);
  const log = new GatewayLogCapture(logFile);
  onFinished(() => log.finish());
  const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent', ...options.broker });
  onFinished(() => broker.close());
  const setup = mutantSetup(entry, options.legacyTimeScale);
  onFinished(() => setup.stop());
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    brokerUrl: broker.url,
    logDestination: log.destination,
    ...setup.options,
  });
  onFinished(() => gateway.close());
  return { broker, gateway, logFile };
}
