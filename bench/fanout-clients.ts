import type { OpenAlgoModeCode } from '../gateway/openalgo/protocol.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { BenchClient, marketDataTimestamp } from './openalgo-client.ts';
import { serveRequests } from './process-link.ts';
import { cpuPercent, sampleUsage } from './process-usage.ts';

/**
 * The fan-out benchmark's clients, in their own process so they do not steal the gateway's event loop.
 * Each client authenticates and subscribes to its symbols; from `mark` to `collect` every market_data
 * frame is counted and its latency (receive time minus the tick's exchange timestamp, which the mock
 * stamps when it sends) goes into a histogram.
 */

export interface ClientsConnect {
  url: string;
  apiKey: string;
  exchange: string;
  mode: OpenAlgoModeCode;
  /** One symbol list per client. */
  subscriptions: string[][];
}

export interface ClientsConnected {
  clients: number;
  /** Requests that did not come back "success", with the first error message seen. */
  failures: number;
  firstError?: string;
}

export interface ClientsWindow {
  received: number;
  /** market_data frames without a readable timestamp. */
  malformed: number;
  /** Clients whose connection closed before the window ended. */
  closed: number;
  latencyPairs: [number, number][];
  latencyMax: number;
  /** This process's CPU over the window, % of one core. */
  cpuPercent: number;
}

const clients: BenchClient[] = [];
const histogram = new LatencyHistogram();
let received = 0;
let malformed = 0;
let closed = 0;
let windowStart = sampleUsage();

function onMarketData(frame: Buffer): void {
  const now = Date.now();
  received += 1;
  const timestamp = marketDataTimestamp(frame);
  if (timestamp < 0) malformed += 1;
  else histogram.record(now - timestamp);
}

serveRequests({
  connect: async (request: ClientsConnect): Promise<ClientsConnected> => {
    let failures = 0;
    let firstError: string | undefined;
    const fail = (message: string | undefined): void => {
      failures += 1;
      firstError ??= message;
    };
    await Promise.all(
      request.subscriptions.map(async (symbols) => {
        const client = new BenchClient(request.url, onMarketData);
        clients.push(client);
        void client.closed.then(() => (closed += 1));
        await client.opened;
        const auth = await client.authenticate(request.apiKey);
        if (auth.status !== 'success') return fail(auth.message);
        const sub = await client.subscribe(symbols, request.exchange, request.mode);
        if (sub.status !== 'success') fail(sub.message ?? sub.status);
      }),
    );
    return { clients: clients.length, failures, ...(firstError !== undefined && { firstError }) };
  },
  mark: (): void => {
    received = 0;
    malformed = 0;
    histogram.reset();
    windowStart = sampleUsage();
  },
  collect: (): ClientsWindow => ({
    received,
    malformed,
    closed,
    latencyPairs: histogram.toPairs(),
    latencyMax: histogram.max,
    cpuPercent: cpuPercent(windowStart, sampleUsage()),
  }),
});
