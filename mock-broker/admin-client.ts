import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One admin API answer: the status and the parsed JSON body. */
export interface AdminAnswer {
  status: number;
  json: unknown;
}

/** A request that got no HTTP answer (refused, timed out, not JSON); the message says which. */
export class AdminUnreachableError extends Error {
  readonly code = 'ADMIN_UNREACHABLE';
}

/**
 * Turns what a user gives for the mock (`http://127.0.0.1:9443`, `https://…`, or a client URL such as
 * `ws://127.0.0.1:9443/smart-stream`) into the admin API's base URL; undefined when it is no such URL.
 */
export function adminBaseUrl(given: string): string | undefined {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return undefined;
  }
  const scheme = { 'http:': 'http:', 'ws:': 'http:', 'https:': 'https:', 'wss:': 'https:' }[url.protocol];
  if (scheme === undefined) return undefined;
  return `${scheme}//${url.host}`;
}

/**
 * Talks to a mock broker's admin API over http or https. node:http(s) rather than fetch: a mock started
 * with `--tls` serves its admin API with a self-signed certificate, so certificate checks are off, as
 * they are for the clients it is built for.
 */
export class MockAdminClient {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AdminAnswer> {
    const url = new URL(`/__admin/${path}`, this.base);
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, timeout: this.timeoutMs, rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
          } catch {
            reject(new AdminUnreachableError(`${method} ${url.href} answered HTTP ${res.statusCode} with a body that is not JSON; is this a stormcheck mock broker?`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new AdminUnreachableError(`${method} ${url.href} did not answer within ${this.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(err instanceof AdminUnreachableError ? err : new AdminUnreachableError(`cannot reach the mock broker at ${this.base} (${err.code ?? err.message})`)),
      );
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}
