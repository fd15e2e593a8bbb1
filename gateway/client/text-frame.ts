/**
 * One WebSocket text frame as the server sends it (RFC 6455 §5.2: FIN set, opcode 1, never masked).
 *
 * A market_data message goes unchanged to every subscriber of its topic, and a server frame's bytes do
 * not depend on the connection, so the fan-out frames each message once and writes the same Buffer to
 * every subscriber's socket, instead of having ws build a header and issue two writes per client.
 */

const FIN_TEXT = 0x81;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
const TWO_32 = 2 ** 32;

export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const headerLength = length < LENGTH_16 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < LENGTH_16) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = LENGTH_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LENGTH_64;
    frame.writeUInt32BE(Math.floor(length / TWO_32), 2);
    frame.writeUInt32BE(length % TWO_32, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}
