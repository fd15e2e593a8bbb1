import { Receiver } from 'ws';
import { describe, expect, it } from 'vitest';
import { encodeTextFrame } from '../gateway/client/text-frame.ts';

/** Parses frames with ws's own client-side receiver, as an OpenAlgo client would. */
function receive(frame: Buffer): Promise<{ data: string; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => resolve({ data: data.toString('utf8'), isBinary }));
    receiver.on('error', reject);
    receiver.write(frame);
  });
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

  it('counts UTF-8 bytes, not characters, and ws reads the frame back as the same text', async () => {
    const text = JSON.stringify({ type: 'market_data', symbol: 'NIFTY₹', data: { ltp: 1.5 } });
    const frame = encodeTextFrame(text);
    expect(frame[1]).toBe(Buffer.byteLength(text));
    expect(await receive(frame)).toEqual({ data: text, isBinary: false });
  });
});
