import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_HEADER } from '../protocol/smartapi/index.ts';

/** Writes a complete HTTP response to an upgrade socket and closes it; safe on a socket the peer has reset. */
export function sendRefusal(socket: Duplex, response: string | Buffer): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(response);
}

/**
 * Answers an upgrade request with a plain HTTP response and closes the socket, the way AngelOne
 * refuses a handshake: the reason travels in `x-error-message`, the body is a small HTML page, and no
 * WebSocket is ever opened. The 429 has its own exact shape (connection-limit-response.ts).
 */
export function refuseHandshake(socket: Duplex, status: number, errorMessage?: string, headers: Record<string, string> = {}): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = `<html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1>${
    errorMessage ? `<p>${errorMessage}</p>` : ''
  }</body></html>\n`;
  const head = [
    `HTTP/1.1 ${status} ${reason}`,
    'Connection: close',
    'Content-Type: text/html; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(errorMessage ? [`${ERROR_HEADER}: ${errorMessage}`] : []),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  sendRefusal(socket, `${head}\r\n\r\n${body}`);
}
