import { SMART_STREAM_PATH } from '../protocol/smartapi/index.ts';
import type { Endpoint } from './types.ts';

/** The request path of each WebSocket endpoint the mock serves. */
export const ENDPOINT_PATHS = {
  'smart-stream': SMART_STREAM_PATH,
  'smart-order-update': '/smart-order-update',
} as const satisfies Record<Endpoint, string>;

/**
 * AngelOne's real host names: the self-signed certificate names both, so a client whose hosts file
 * points them at the mock (and that skips verification, as OpenAlgo does) reaches it unmodified.
 */
export const ANGEL_HOSTNAMES = ['smartapisocket.angelone.in', 'tns.angelone.in'] as const;

/** What the order-update socket says right after it opens (AngelOne's `AB00`, "connected"). */
export function orderUpdateGreeting(clientCode: string): string {
  return JSON.stringify({ 'user-id': clientCode, 'status-code': '200', 'order-status': 'AB00', 'error-message': '', orderData: null });
}

export function endpointOfPath(pathname: string): Endpoint | undefined {
  const match = Object.entries(ENDPOINT_PATHS).find(([, path]) => path === pathname);
  return match?.[0] as Endpoint | undefined;
}

/** Where clients and the admin API reach a broker listening on `host`:`port`; an IPv6 host is bracketed. */
export function brokerUrls(host: string, port: number, tls: boolean): { url: string; orderUpdateUrl: string; adminUrl: string } {
  const origin = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const [wsScheme, httpScheme] = tls ? ['wss', 'https'] : ['ws', 'http'];
  return {
    url: `${wsScheme}://${origin}${ENDPOINT_PATHS['smart-stream']}`,
    orderUpdateUrl: `${wsScheme}://${origin}${ENDPOINT_PATHS['smart-order-update']}`,
    adminUrl: `${httpScheme}://${origin}`,
  };
}
