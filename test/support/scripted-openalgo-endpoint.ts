import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ErrorCode } from '../../protocol/openalgo/index.ts';

/**
 * A scripted endpoint speaking just enough of docs/architecture.md#openalgo-client-protocol to exercise the
 * client driver: key `good` is accepted; symbol `SILENT` is never answered, `BROKEN` gets BROKER_ERROR; every
 * other subscribed symbol gets one market_data push before the reply.
 */
export async function scriptedEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { action: string; api_key?: string; symbol?: string; symbols?: { symbol: string }[] };
      if (frame.action === 'authenticate') {
        if (frame.api_key === 'good') socket.send(JSON.stringify({ type: 'auth', status: 'success', message: 'Authentication successful', broker: 'angel', user_id: 'u1' }));
        else socket.send(JSON.stringify({ status: 'error', code: ErrorCode.authentication, message: 'Invalid API key' }));
        return;
      }
      const symbols = frame.symbols?.map((s) => s.symbol) ?? [frame.symbol];
      if (symbols.includes('SILENT')) return;
      if (symbols.includes('BROKEN')) {
        socket.send(JSON.stringify({ status: 'error', code: ErrorCode.broker, message: 'adapter failed' }));
        return;
      }
      if (frame.action === 'subscribe') {
        for (const symbol of symbols) socket.send(JSON.stringify({ type: 'market_data', symbol, exchange: 'NSE', mode: 1, broker: 'angel', data: { ltp: 1, ltt: 1, timestamp: 1 } }));
        const subscriptions = symbols.map((symbol) => ({ symbol, exchange: 'NSE', status: 'success', mode: 1, depth: 5, broker: 'angel' }));
        socket.send(JSON.stringify({ type: 'subscribe', status: 'success', subscriptions, message: 'Subscription processing complete', broker: 'angel' }));
      }
      if (frame.action === 'unsubscribe') socket.send(JSON.stringify({ type: 'unsubscribe', status: 'success', successful: [], failed: [], broker: 'angel' }));
    });
  });
  const { port } = wss.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}`, close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

