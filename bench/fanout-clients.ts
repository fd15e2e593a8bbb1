import type { OpenAlgoModeCode } from '../protocol/openalgo/index.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { BenchClient, marketDataTimestamp } from './openalgo-client.ts';
import { serveRequests } from './process-link.ts';
import { cpuPercent, sampleUsage } from './process-usage.ts';

/**
 * The fan-out benchmark's clients, in their own process so they do not steal the gateway's event loop.
 * Each client authenticates and subscribes to its symbols; from `mark` to `collect` every market_data
 * frame is counted by its exchange timestamp (so the parent can match it to the ticks the mock sent in
 * the same interval) and its latency (receive time minus that timestamp, which the mock stamps when it
 * sends) goes into a histogram.
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
  /** market_data frames received since `mark`. */
  received: number;
  /** Of those, how many carried each exchange timestamp: [epoch ms, count] pairs. */
  byTimestamp: [number, number][];
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
let byTimestamp = new Map<number, number>();
let windowStart = sampleUsage();

function onMarketData(frame: Buffer): void {
  const now = Date.now();
  received += 1;
  const timestamp = marketDataTimestamp(frame);
  if (timestamp < 0) {
    malformed += 1;
    return;
  }
  histogram.record(now - timestamp);
  byTimestamp.set(timestamp, (byTimestamp.get(timestamp) ?? 0) + 1);
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
    byTimestamp = new Map();
    windowStart = sampleUsage();
  },
  collect: (): ClientsWindow => ({
    received,
    byTimestamp: [...byTimestamp],
    malformed,
    closed,
    latencyPairs: histogram.toPairs(),
    latencyMax: histogram.max,
    cpuPercent: cpuPercent(windowStart, sampleUsage()),
  }),
});
