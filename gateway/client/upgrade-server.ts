import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Clock, Timer } from '../clock.ts';
import type { SourceGuard, SourceRefusal, TrustedProxies } from './source-guard.ts';

/** Limits on TCP connections that have not (yet) become WebSockets. */
export interface UpgradeLimits {
  /** A connection must complete its upgrade request within this time, or it is destroyed. */
  upgradeTimeoutMs: number;
  /** Connections still waiting for their upgrade at once; more are destroyed on arrival. */
  maxPendingUpgrades: number;
}

/**
 * 10 s is ample for a real client's handshake. 4096 pending sockets (the listen backlog) leave room for
 * a whole application reconnecting at once even on a loaded machine, where 1,000 clients of one address
 * were seen waiting together; the per-source cap keeps one address to a quarter of them, and a slowloris
 * holds each for at most 10 s. Keep it below the process' file descriptor limit (`ulimit -n`).
 */
export const DEFAULT_UPGRADE_LIMITS: UpgradeLimits = { upgradeTimeoutMs: 10_000, maxPendingUpgrades: 4096 };

export type UpgradeRefusal = 'upgrade_timeout' | 'too_many_pending_upgrades';

export interface UpgradeServerDeps {
  /** A `noServer` WebSocketServer: this server hands it each upgrade request. */
  wss: WebSocketServer;
  limits: UpgradeLimits;
  clock: Clock;
  /** Per-address caps (docs/gateway.md#per-source-limits). */
  sources: SourceGuard;
  /** Reverse proxies whose X-Forwarded-For names the client. */
  proxies: TrustedProxies;
  /** `address` is the client's (behind a trusted proxy, from X-Forwarded-For); its slot in `sources` is taken. */
  onConnection(ws: WebSocket, req: IncomingMessage, address: string): void;
  onRefused(reason: UpgradeRefusal | SourceRefusal, address: string): void;
}

/**
 * The HTTP server under the client WebSocket endpoint. Node's own header timeout is only checked every
 * 30 s, so 2,000 sockets sending partial headers were held for over a minute; here each connection gets
 * its own deadline until the upgrade, and the number waiting is capped.
 */
export function createUpgradeServer(deps: UpgradeServerDeps): Server {
  const { wss, limits, clock } = deps;
  const server = createServer({ headersTimeout: limits.upgradeTimeoutMs, requestTimeout: limits.upgradeTimeoutMs });
  const pending = new Map<Socket, { timer: Timer; address: string | undefined }>();

  const settle = (socket: Socket): void => {
    const waiting = pending.get(socket);
    if (!waiting) return;
    pending.delete(socket);
    waiting.timer.cancel();
    if (waiting.address !== undefined) deps.sources.pendingEnded(waiting.address);
  };

  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    if (pending.size >= limits.maxPendingUpgrades) {
      deps.onRefused('too_many_pending_upgrades', peer);
      socket.destroy();
      return;
    }
    // Before its headers nothing says whom a proxy's connection is for: a trusted proxy is not capped here.
    const address = deps.proxies.trusts(peer) ? undefined : peer;
    if (address !== undefined && !deps.sources.pendingStarted(address)) {
      deps.onRefused('too_many_pending_upgrades_per_source', address);
      socket.destroy();
      return;
    }
    const timer = clock.after(limits.upgradeTimeoutMs, () => {
      if (!pending.has(socket)) return;
      settle(socket);
      deps.onRefused('upgrade_timeout', peer);
      socket.destroy();
    });
    pending.set(socket, { timer, address });
    socket.once('close', () => settle(socket));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    settle(socket);
    const address = deps.proxies.clientAddress(socket.remoteAddress ?? '', req.headers['x-forwarded-for']);
    const refusal = deps.sources.admit(address);
    if (refusal) {
      deps.onRefused(refusal, address);
      refuseUpgrade(socket, refusal === 'auth_blocked' ? Math.ceil(deps.sources.blockedForMs(address) / 1000) : undefined);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => deps.onConnection(ws, req, address));
  });

  // A plain HTTP request on the WebSocket port: say what is expected, then hang up.
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close', upgrade: 'websocket' });
    res.end('Upgrade Required: this port speaks the OpenAlgo WebSocket protocol\n');
  });

  return server;
}

/** 429 on the upgrade request, with `Retry-After` when the refusal ends at a known time; then the socket goes. */
function refuseUpgrade(socket: Socket, retryAfterSeconds: number | undefined): void {
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n${retry}\r\n`);
  socket.destroySoon();
}
