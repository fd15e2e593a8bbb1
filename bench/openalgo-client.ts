import WebSocket from 'ws';
import { ClientAction, ServerMessageType, type OpenAlgoModeCode } from '../protocol/openalgo/index.ts';

/**
 * A lean OpenAlgo-protocol client for benchmarks: authenticate, subscribe, and hand every market_data
 * frame to a callback as raw bytes, so measuring 100k messages/s costs the client process as little as
 * possible. Replies to requests are parsed; market data is not.
 */

/** The reply to one request: the parsed frame (`status` "success", "partial" or "error"). */
export interface Reply {
  type?: string;
  status?: string;
  code?: string;
  message?: string;
}

const MARKET_DATA_PREFIX = Buffer.from(`{"type":"${ServerMessageType.marketData}"`);
const TIMESTAMP_KEY = Buffer.from('"timestamp":');
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * The `data.timestamp` (epoch ms) of a market_data frame, read from the bytes without parsing the JSON;
 * `timestamp` is the last key of `data` in every mode. -1 when absent.
 */
export function marketDataTimestamp(frame: Buffer): number {
  const at = frame.lastIndexOf(TIMESTAMP_KEY);
  if (at < 0) return -1;
  let value = 0;
  let digits = 0;
  for (let i = at + TIMESTAMP_KEY.length; i < frame.length; i++) {
    const c = frame[i]!;
    if (c < DIGIT_0 || c > DIGIT_9) break;
    value = value * 10 + (c - DIGIT_0);
    digits += 1;
  }
  return digits > 0 ? value : -1;
}

export class BenchClient {
  private readonly ws: WebSocket;
  private waiting: ((reply: Reply) => void)[] = [];
  /** Resolves when the socket opens; rejects if it fails first. */
  readonly opened: Promise<void>;
  /** Resolves with the close code once the socket is gone. */
  readonly closed: Promise<number>;

  constructor(url: string, onMarketData: (frame: Buffer) => void) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code: number) => resolve(code)));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer) => {
      if (data.length >= MARKET_DATA_PREFIX.length && data.compare(MARKET_DATA_PREFIX, 0, MARKET_DATA_PREFIX.length, 0, MARKET_DATA_PREFIX.length) === 0) {
        onMarketData(data);
        return;
      }
      let reply: Reply;
      try {
        reply = JSON.parse(data.toString('utf8')) as Reply;
      } catch {
        reply = { status: 'error', message: 'unparseable reply' };
      }
      // broker_status is pushed whenever the upstream changes, also between a request and its reply: it
      // answers nothing (taking it for a reply showed up as `unknown` errors in the auth-storm benchmark).
      if (reply.type === ServerMessageType.brokerStatus || reply.type === ServerMessageType.subscriptionStatus) return;
      // The gateway answers a client's frames in order, so replies go to requests first come, first served.
      this.waiting.shift()?.(reply);
    });
    void this.closed.then(() => {
      const waiting = this.waiting;
      this.waiting = [];
      for (const resolve of waiting) resolve({ status: 'error', code: 'CLOSED', message: 'connection closed' });
    });
  }

  authenticate(apiKey: string): Promise<Reply> {
    return this.request({ action: ClientAction.authenticate, api_key: apiKey });
  }

  subscribe(symbols: string[], exchange: string, mode: OpenAlgoModeCode): Promise<Reply> {
    return this.request({ action: ClientAction.subscribe, symbols: symbols.map((symbol) => ({ symbol, exchange })), mode });
  }

  close(): void {
    this.ws.terminate();
  }

  private request(frame: object): Promise<Reply> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve({ status: 'error', code: 'CLOSED', message: 'not open' });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.ws.send(JSON.stringify(frame));
    });
  }
}
