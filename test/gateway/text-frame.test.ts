import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTextFrame } from '../../gateway/client/text-frame.ts';

let server: WebSocketServer | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Writes the frame onto a real server-side socket, as the gateway does, and returns what a ws client reads. */
async function sendThroughRealSocket(frame: Buffer): Promise<{ data: string; isBinary: boolean }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server = wss;
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (_ws, req) => req.socket.write(frame));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  try {
    return await new Promise((resolve, reject) => {
      client.once('message', (data: Buffer, isBinary: boolean) => resolve({ data: data.toString('utf8'), isBinary }));
      client.once('error', reject);
    });
  } finally {
    client.terminate();
  }
}

describe('encodeTextFrame', () => {
  it('frames "Hello" as RFC 6455 §5.7 shows an unmasked text frame', () => {
    expect(encodeTextFrame('Hello').toString('hex')).toBe('810548656c6c6f');
  });

  it('uses the 16-bit length from 126 bytes on', () => {
    const frame = encodeTextFrame('a'.repeat(126));
    expect(frame.subarray(0, 4).toString('hex')).toBe('817e007e');
    expect(frame.length).toBe(4 + 126);
    expect(encodeTextFrame('a'.repeat(125)).subarray(0, 2).toString('hex')).toBe('817d');
  });

  it('uses the 64-bit length from 65536 bytes on', () => {
    const frame = encodeTextFrame('a'.repeat(65_536));
    expect(frame.subarray(0, 10).toString('hex')).toBe('817f0000000000010000');
    expect(encodeTextFrame('a'.repeat(65_535)).subarray(0, 4).toString('hex')).toBe('817effff');
  });

  it('counts UTF-8 bytes, not characters, and a ws client reads the frame as the same text', async () => {
    const text = JSON.stringify({ type: 'market_data', symbol: 'NIFTY₹', data: { ltp: 1.5 } });
    const frame = encodeTextFrame(text);
    expect(frame[1]).toBe(Buffer.byteLength(text));
    expect(await sendThroughRealSocket(frame)).toEqual({ data: text, isBinary: false });
  });
});
