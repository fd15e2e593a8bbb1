import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Environment variable read when --admin-token is absent, so the token stays out of `ps` output. */
export const ADMIN_TOKEN_ENV = 'STORMCHECK_ADMIN_TOKEN';

export interface AdminGuardOptions {
  /** The interface the server listens on; a loopback address also restricts the Host header. */
  host: string;
  /** When set, every admin request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Refuse bodies that are not `application/json` (what a browser form can send without a preflight). */
  jsonBodiesOnly: boolean;
}

export interface AdminRefusal {
  status: 401 | 403 | 415;
  message: string;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Equal-length digests, so timingSafeEqual never leaks the token's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The Host header's name without its port, lower case; brackets of an IPv6 literal kept. */
function hostName(header: string): string {
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d*$/, '');
  return name.toLowerCase();
}

/**
 * Decides whether an admin request may run. Admin endpoints are for operators' tools (curl, the CLI),
 * never for browsers: a page open on the same machine could otherwise act on them. Browsers always send
 * `Origin` on cross-site POSTs, so any Origin is refused; on a loopback bind the Host must name the
 * loopback (this stops DNS rebinding); the optional bearer token is compared in constant time.
 */
export function adminRequestGuard(options: AdminGuardOptions): (req: IncomingMessage) => AdminRefusal | undefined {
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const bindName = options.host.includes(':') ? `[${options.host}]` : options.host;
  const allowedHosts = isLoopback(options.host) ? new Set([...LOOPBACK_NAMES, bindName.toLowerCase()]) : undefined;
  return (req) => {
    if (req.headers.origin !== undefined) return { status: 403, message: 'requests from browsers (with an Origin header) are refused' };
    if (allowedHosts && !allowedHosts.has(hostName(req.headers.host ?? ''))) {
      return { status: 403, message: 'the Host header must name the loopback interface the admin server listens on' };
    }
    const contentType = req.headers['content-type'];
    if (options.jsonBodiesOnly && contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
      return { status: 415, message: 'only application/json bodies are accepted' };
    }
    if (tokenDigest) {
      const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      if (!match || !timingSafeEqual(digest(match[1]!), tokenDigest)) {
        return { status: 401, message: 'missing or wrong admin token; send Authorization: Bearer <token>' };
      }
    }
    return undefined;
  };
}
