import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ClusterHealth } from './cluster/cluster-registry.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { AdapterHealth } from './registry/registry.ts';

export interface GatewayHealth {
  status: 'ok';
  clients: number;
  adapters: AdapterHealth[];
  /** Only with `--cluster`. */
  cluster?: ClusterHealth;
}

export interface AdminHandlers {
  health(): GatewayHealth;
  metrics: GatewayMetrics;
  /** Resolves false when no such user exists. */
  logout(userId: string): Promise<boolean>;
}

const LOGOUT_PATH = /^\/users\/([^/]+)\/logout$/;

/** Admin HTTP (SPEC §6): GET /health, GET /metrics, POST /users/:id/logout. */
export function createAdminServer(handlers: AdminHandlers): Server {
  return createServer((req, res) => {
    route(req, res, handlers).catch((err: Error) => sendJson(res, 500, { status: 'error', message: err.message }));
  });
}

async function route(req: IncomingMessage, res: ServerResponse, handlers: AdminHandlers): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  req.resume();
  if (path === '/health') {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    return sendJson(res, 200, handlers.health());
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
    const userId = decodeURIComponent(logout[1]!);
    const found = await handlers.logout(userId);
    if (!found) return sendJson(res, 404, { status: 'error', message: `unknown user ${userId}` });
    return sendJson(res, 200, { status: 'ok', user: userId });
  }
  sendJson(res, 404, { status: 'error', message: 'not found; try GET /health, GET /metrics or POST /users/:id/logout' });
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
