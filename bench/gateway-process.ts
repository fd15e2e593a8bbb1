import { pino, type DestinationStream } from 'pino';
import { LogEvent, startGateway } from '../gateway/index.ts';
import type { Gateway, RegistryMode } from '../gateway/index.ts';
import type { ClusterOptions } from '../gateway/cluster/cluster-registry.ts';
import { serveRequests } from './process-link.ts';
import { sampleUsage, type UsageSample } from './process-usage.ts';
import { syntheticInstruments } from './synthetic-instruments.ts';

/**
 * The gateway under benchmark, alone in its own process so its CPU and RSS are its own. It logs JSON
 * lines to stdout as in production (the parent points stdout at /dev/null), with the embedded demo user.
 */

export interface GatewayStart {
  brokerUrl: string;
  registry: RegistryMode;
  /** Use a synthetic master of this many instruments instead of the bundled one. */
  syntheticInstruments?: number;
  /** Run as one gateway of a `--cluster`. */
  cluster?: ClusterOptions;
}

export interface GatewayStarted {
  url: string;
  adminUrl: string;
}

let gateway: Gateway | undefined;

// Adapter creations are counted from the gateway's own log lines and reported over IPC: a legacy gateway in
// full storm answers IPC but can take longer than any sensible timeout to serve /metrics.
const ADAPTER_CREATE = `"event":"${LogEvent.adapterCreate}"`;
let adaptersCreated = 0;
const stdout = pino.destination({ dest: 1, sync: false });
const logDestination: DestinationStream = {
  write(line: string) {
    if (line.includes(ADAPTER_CREATE)) adaptersCreated += 1;
    stdout.write(line);
  },
};

serveRequests(
  {
    start: async (options: GatewayStart): Promise<GatewayStarted> => {
      gateway = await startGateway({
        port: 0,
        adminPort: 0,
        brokerUrl: options.brokerUrl,
        registry: options.registry,
        logDestination,
        ...(options.syntheticInstruments !== undefined && { instruments: syntheticInstruments(options.syntheticInstruments) }),
        ...(options.cluster && { cluster: options.cluster }),
      });
      return { url: gateway.url, adminUrl: gateway.adminUrl };
    },
    usage: (): UsageSample => sampleUsage(),
    adaptersCreated: (): number => adaptersCreated,
    health: () => gateway?.health(),
    // The parent reads the relay-lag histogram from the same /metrics an operator would scrape.
    metricsText: async (): Promise<string> => (gateway ? (await fetch(`${gateway.adminUrl}/metrics`)).text() : ''),
  },
  async () => {
    await gateway?.close();
  },
);
