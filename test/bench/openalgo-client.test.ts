import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchClient } from '../../bench/openalgo-client.ts';

let server: WebSocketServer | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('benchmark OpenAlgo client', () => {
  it('does not take a broker_status push sent before a reply for that reply', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) =>
      ws.on('message', (data) => {
        const { action } = JSON.parse(data.toString()) as { action: string };
        // The gateway pushes broker_status whenever the upstream changes, also between a request and its reply.
        ws.send(JSON.stringify({ type: 'broker_status', broker: 'angel', user_id: 'u', state: 'open' }));
        ws.send(JSON.stringify({ type: action, status: 'success', message: `${action} done` }));
      }),
    );
    await new Promise((resolve) => server!.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const client = new BenchClient(`ws://127.0.0.1:${port}`, () => undefined);
    await client.opened;
    expect(await client.authenticate('key')).toMatchObject({ type: 'authenticate', status: 'success' });
    expect(await client.subscribe(['SBIN'], 'NSE', 1)).toMatchObject({ type: 'subscribe', status: 'success' });
    client.close();
  });
});
