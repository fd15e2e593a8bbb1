import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  AUTH_ERROR_MESSAGES,
  CREDENTIAL_HEADERS,
  CREDENTIAL_QUERY,
} from '../protocol/smartapi/index.ts';
import type { Account } from './types.ts';

/** What a handshake presented; any field may be missing. */
export interface PresentedCredentials {
  clientCode?: string;
  apiKey?: string;
  feedToken?: string;
  /** The JWT without its optional `Bearer ` prefix. */
  authToken?: string;
  /** True when the client used the browser form (query parameters), which carries no JWT. */
  viaQuery: boolean;
}

export type CredentialCheck =
  | { ok: true; clientCode: string }
  | { ok: false; clientCode: string; message: (typeof AUTH_ERROR_MESSAGES)[keyof typeof AUTH_ERROR_MESSAGES] };

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function queryParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value.trim() === '' ? undefined : value.trim();
}

/** A JWT without the optional `Bearer ` prefix. */
export function bareJwt(authorization: string): string {
  return authorization.replace(/^Bearer\s+/i, '');
}

/**
 * Reads the credentials a SmartAPI handshake carries: the SDKs' headers, or the query parameters
 * browsers use because they cannot set headers on a WebSocket. Headers win when both are present.
 */
export function readCredentials(req: IncomingMessage, query: URLSearchParams): PresentedCredentials {
  const authorization = header(req, CREDENTIAL_HEADERS.authorization);
  const fromQuery = {
    clientCode: queryParam(query, CREDENTIAL_QUERY.clientCode),
    apiKey: queryParam(query, CREDENTIAL_QUERY.apiKey),
    feedToken: queryParam(query, CREDENTIAL_QUERY.feedToken),
  };
  return {
    clientCode: header(req, CREDENTIAL_HEADERS.clientCode) ?? fromQuery.clientCode,
    apiKey: header(req, CREDENTIAL_HEADERS.apiKey) ?? fromQuery.apiKey,
    feedToken: header(req, CREDENTIAL_HEADERS.feedToken) ?? fromQuery.feedToken,
    authToken: authorization === undefined ? undefined : bareJwt(authorization) || undefined,
    viaQuery: Object.values(fromQuery).some((v) => v !== undefined),
  };
}

export interface CredentialPolicy {
  accounts: readonly Account[] | undefined;
  /** Match `x-api-key` against the account. AngelOne does not: OpenAlgo sends the literal `api_key`. */
  strictApiKey: boolean;
  /** True for a JWT an expire-token fault has expired. */
  isExpired: (authToken: string) => boolean;
}

/**
 * Decides a handshake's credentials. Client code, API key and feed token are always required; the
 * JWT is required unless the client used the query-parameter form. With no accounts, any non-empty
 * values pass; with accounts, the feed token and JWT must match the client code's account, and the
 * API key too when the policy is strict.
 */
export function checkCredentials(presented: PresentedCredentials, policy: CredentialPolicy): CredentialCheck {
  const clientCode = presented.clientCode ?? '';
  const { apiKey, feedToken, authToken } = presented;
  if (!presented.clientCode || !apiKey || !feedToken || (!presented.viaQuery && !authToken)) {
    return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.header };
  }
  // An expired JWT is a bad Authorization header: AngelOne has no dedicated message for either.
  if (authToken !== undefined && policy.isExpired(authToken)) {
    return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.header };
  }
  if (policy.accounts === undefined) return { ok: true, clientCode };
  const account = policy.accounts.find((a) => a.clientCode === clientCode);
  if (!account) return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.clientCode };
  if (policy.strictApiKey && account.apiKey !== apiKey) return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.apiKey };
  if (account.feedToken !== feedToken) return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.feedToken };
  if (authToken !== undefined && bareJwt(account.authToken) !== authToken) {
    return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.header };
  }
  return { ok: true, clientCode };
}

/** The `username` claim of an AngelOne JWT (its client code), if the token decodes as a JWT. */
function jwtUsername(jwt: string): string | undefined {
  const payload = jwt.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const username = (claims as { username?: unknown } | null)?.username;
    return typeof username === 'string' && username !== '' ? username : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides an order-update handshake, which carries only `Authorization: Bearer <jwt>`. The client
 * code it counts against is the account owning the JWT, else an `x-client-code` header, else the
 * JWT's `username` claim (real AngelOne JWTs carry it), else a digest of the JWT, never the JWT itself
 * (it would reach the logs).
 */
export function checkOrderUpdateCredentials(presented: PresentedCredentials, policy: CredentialPolicy): CredentialCheck {
  const { authToken } = presented;
  if (!authToken) return { ok: false, clientCode: presented.clientCode ?? '', message: AUTH_ERROR_MESSAGES.header };
  const owner = policy.accounts?.find((a) => bareJwt(a.authToken) === authToken);
  const clientCode =
    owner?.clientCode ?? presented.clientCode ?? jwtUsername(authToken) ?? `jwt-${createHash('sha256').update(authToken).digest('hex').slice(0, 8)}`;
  if (policy.accounts !== undefined && !owner) return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.header };
  if (policy.isExpired(authToken)) return { ok: false, clientCode, message: AUTH_ERROR_MESSAGES.header };
  return { ok: true, clientCode };
}
