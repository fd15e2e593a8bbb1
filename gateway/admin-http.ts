import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { adminRequestGuard } from '../contract/admin-request-guard.ts';
import type { ClusterHealth } from './cluster/cluster-registry.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { AdapterHealth } from './upstream/adapter-contract.ts';

export interface GatewayHealth {
  /** `unavailable` (HTTP 503) while any adapter is failed or refused and retrying; `reasons` says which. */
  status: 'ok' | 'unavailable';
  clients: number;
  adapters: AdapterHealth[];
  /** Only with `--cluster`. */
  cluster?: ClusterHealth;
  reasons?: string[];
}

/** The health document for a client count and the registry's adapters. */
export function summariseHealth(clients: number, adapters: AdapterHealth[], cluster?: ClusterHealth): GatewayHealth {
  const reasons = adapters.flatMap((a) => {
    if (a.state === 'failed') return [`${a.broker} adapter of user ${a.user} failed: its connect cycle is used up`];
    if (a.state === 'backoff') return [`${a.broker} adapter of user ${a.user} is refused or disconnected and retrying`];
    return [];
  });
  for (const lease of cluster?.leases ?? []) {
    if (lease.holder === 'no-holder') reasons.push(`no gateway holds the ${lease.broker} upstream lease of user ${lease.user}`);
    if (lease.holder === 'unverified') {
      reasons.push(`the ${lease.broker} upstream lease of user ${lease.user} names a holder that sent no authenticated status`);
    }
  }
  const health: GatewayHealth = { status: reasons.length === 0 ? 'ok' : 'unavailable', clients, adapters, ...(cluster && { cluster }) };
  return reasons.length === 0 ? health : { ...health, reasons };
}

export interface AdminHandlers {
  health(): GatewayHealth;
  metrics: GatewayMetrics;
  /** Resolves false when no such user exists. */
  logout(userId: string): Promise<boolean>;
}

export interface AdminSecurity {
  /** The interface the admin server listens on; a loopback address also restricts the Host header. */
  host: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

const LOGOUT_PATH = /^\/users\/([^/]+)\/logout$/;

/**
 * Admin HTTP (docs/gateway.md#admin-http): GET /health, GET /metrics, POST /users/:id/logout, guarded
 * by contract/admin-request-guard.ts (no browsers, loopback Host, optional token). Non-JSON bodies are
 * refused too: they are all a browser form can send without a preflight.
 */
export function createAdminServer(handlers: AdminHandlers, security: AdminSecurity): Server {
  const refuse = adminRequestGuard({ host: security.host, token: security.token, jsonBodiesOnly: true });
  return createServer((req, res) => {
    req.resume();
    const refusal = refuse(req);
    if (refusal) {
      if (refusal.status === 401) res.setHeader('www-authenticate', 'Bearer');
      sendJson(res, refusal.status, { status: 'error', message: refusal.message });
      return;
    }
    route(req, res, handlers).catch((err: Error) => sendJson(res, 500, { status: 'error', message: err.message }));
  });
}

async function route(req: IncomingMessage, res: ServerResponse, handlers: AdminHandlers): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  if (path === '/health') {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    const health = handlers.health();
    return sendJson(res, health.status === 'ok' ? 200 : 503, health);
  }
  if (path === '/metrics') {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    const health = handlers.health();
    handlers.metrics.clients.set(health.clients);
    handlers.metrics.adapters.set(health.adapters.length);
    handlers.metrics.upstreamConnections.set(health.adapters.reduce((n, a) => n + a.upstreamConnections, 0));
    res.writeHead(200, { 'content-type': handlers.metrics.registry.contentType });
    res.end(await handlers.metrics.registry.metrics());
    return;
  }
  const logout = LOGOUT_PATH.exec(path);
  if (logout) {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    const userId = decodePathSegment(logout[1]!);
    if (userId === undefined) return sendJson(res, 400, { status: 'error', message: 'malformed percent-encoding in the user id' });
    const found = await handlers.logout(userId);
    if (!found) return sendJson(res, 404, { status: 'error', message: `unknown user ${userId}` });
    return sendJson(res, 200, { status: 'ok', user: userId });
  }
  sendJson(res, 404, { status: 'error', message: 'not found; try GET /health, GET /metrics or POST /users/:id/logout' });
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { status: 'error', message: `use ${allow}` });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
