import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../contract/seeded-random.ts';

const SYMBOLS = ['RELIANCE', 'SBIN', 'INFY', 'TCS', 'HDFCBANK', 'ICICIBANK', 'NIFTY', 'BANKNIFTY', 'ITC', 'LT'] as const;
const USERS = ['rajandran', 'meera', 'arjun', 'kavya', 'sanjay', 'deepa', 'vikram', 'nisha'] as const;
const PATHS = ['/api/v1/quotes', '/api/v1/positionbook', '/api/v1/orderbook', '/api/v1/funds', '/api/v1/depth', '/'] as const;
const WRITE_CHUNK = 4 << 20;


export interface GeneratedLog {
  bytes: number;
  lines: number;
}

/**
 * Writes a realistic OpenAlgo log of at least `bytes`: mostly noise records in OpenAlgo's default
 * format (werkzeug access lines, REST calls, subscription and tick debug lines with `token: [REDACTED]`),
 * Python tracebacks, adapter events (creations, reuses, connects) and now and then a storm
 * (a burst of `Connecting … (attempt 1)` with websocket-client 429 lines).
 */
export async function generateOpenAlgoLog(file: string, bytes: number, seed = 1): Promise<GeneratedLog> {
  const rnd = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const out = createWriteStream(file);
  let time = Date.UTC(2025, 10, 11, 3, 45, 0);
  let secondKey = -1;
  let secondText = '';
  const stamp = () => {
    const sec = Math.floor(time / 1000);
    if (sec !== secondKey) {
      secondKey = sec;
      const iso = new Date(sec * 1000).toISOString();
      secondText = `[${iso.slice(0, 10)} ${iso.slice(11, 19)},`;
    }
    return `${secondText}${String(time % 1000).padStart(3, '0')}]`;
  };
  const rec = (level: string, module: string, msg: string) => `${stamp()} ${level} in ${module}: ${msg}\n`;
  let buf = '';
  let written = 0;
  let lines = 0;
  const push = (s: string, n = 1) => {
    buf += s;
    lines += n;
  };
  while (written + buf.length < bytes) {
    time += Math.floor(rnd() * 10);
    const r = rnd();
    if (r < 0.2) {
      const d = new Date(time);
      push(rec('INFO', '_internal', `127.0.0.1 - - [${d.getUTCDate()}/Nov/2025 ${d.toISOString().slice(11, 19)}] "GET ${pick(PATHS)} HTTP/1.1" 200 -`));
    } else if (r < 0.35) {
      push(rec('INFO', '_client', `HTTP Request: POST https://apiconnect.angelone.in/rest/secure/angelbroking/market/v1/quote/ "HTTP/1.1 200 OK"`));
    } else if (r < 0.55) {
      push(rec('DEBUG', 'angel_adapter', `Subscribing to NSE:${pick(SYMBOLS)} token: [REDACTED] mode ${1 + Math.floor(rnd() * 3)} depth 5`));
    } else if (r < 0.75) {
      push(rec('DEBUG', 'angel_mapping', `Tick for token: [REDACTED] ltp ${(rnd() * 3000).toFixed(2)} volume ${Math.floor(rnd() * 1e7)} exchange NSE`));
    } else if (r < 0.85) {
      push(rec('DEBUG', 'server', `Published market data for NSE:${pick(SYMBOLS)} to ${1 + Math.floor(rnd() * 9)} clients`));
    } else if (r < 0.9) {
      push(rec('INFO', 'server', `Client ${100000 + Math.floor(rnd() * 900000)} authenticated for user ${pick(USERS)}`));
    } else if (r < 0.94) {
      push(rec('INFO', 'server', `Client ${100000 + Math.floor(rnd() * 900000)} disconnected`));
    } else if (r < 0.97) {
      push(rec('WARNING', 'orders', `Order rejected by broker for ${pick(SYMBOLS)}: insufficient funds (margin required ${(rnd() * 1e5).toFixed(2)})`));
    } else if (r < 0.985) {
      push(rec('INFO', 'broker_factory', `Reusing existing angel adapter for user ${pick(USERS)}`));
    } else if (r < 0.99) {
      push(rec('ERROR', 'server', 'Error sending market data to client'));
      push(
        'Traceback (most recent call last):\n' +
          '  File "/app/websocket_proxy/server.py", line 512, in send_market_data\n' +
          '    await websocket.send(json.dumps(payload))\n' +
          'websockets.exceptions.ConnectionClosedError: sent 1011 (internal error) keepalive ping timeout; no close frame received\n',
        4,
      );
    } else if (r < 0.99005) {
      // A user's session ends and a later one starts: teardown, then one new adapter.
      const user = pick(USERS);
      push(rec('INFO', 'server', `Last client for user ${user} disconnected. Disconnecting angel adapter.`));
      time += 120_000;
      push(rec('INFO', 'broker_factory', `Creating NEW angel adapter for user ${user}`));
      push(rec('INFO', 'angel_adapter', 'Connecting to Angel WebSocket (attempt 1)'));
      time += 300;
      push(rec('INFO', 'angel_adapter', 'Connected to Angel WebSocket'));
    } else if (r < 0.9901) {
      push(rec('WARNING', 'angel_adapter', 'Angel WebSocket connection closed'));
      time += 2000;
      push(rec('INFO', 'angel_adapter', 'Connecting to Angel WebSocket (attempt 1)'));
      time += 300;
      push(rec('INFO', 'angel_adapter', 'Connected to Angel WebSocket'));
    } else if (r < 0.99015) {
      push(rec('INFO', '_client', 'HTTP Request: POST https://apiconnect.angelone.in/rest/secure/angelbroking/order/v1/getLtpData "HTTP/1.1 429 Too Many Requests"'));
    } else if (r < 0.990155) {
      // The incident: one adapter's nested retries run away against a broker answering 429.
      for (let i = 0; i < 50; i++) {
        time += 7;
        push(rec('INFO', 'angel_adapter', 'Connecting to Angel WebSocket (attempt 1)'));
        push(
          rec(
            'ERROR',
            '_logging',
            "Handshake status 429 Too Many Requests -+-+- {'content-type': 'text/html', 'x-error-message': 'Invalid Request. Connection Limit Exceeded.'} -+-+- b'' - goodbye",
          ),
        );
      }
    } else {
      push(rec('INFO', 'server', `Client ${100000 + Math.floor(rnd() * 900000)} subscribed to ${1 + Math.floor(rnd() * 50)} symbols`));
    }
    if (buf.length >= WRITE_CHUNK) {
      written += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  written += buf.length;
  out.end(buf);
  await once(out, 'finish');
  return { bytes: written, lines };
}
