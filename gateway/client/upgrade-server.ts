import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Clock, Timer } from '../clock.ts';

/** Limits on TCP connections that have not (yet) become WebSockets. */
export interface UpgradeLimits {
  /** A connection must complete its upgrade request within this time, or it is destroyed. */
  upgradeTimeoutMs: number;
  /** Connections still waiting for their upgrade at once; more are destroyed on arrival. */
  maxPendingUpgrades: number;
}

/**
 * 10 s is ample for a real client's handshake. 1024 pending sockets leaves room for a whole application
 * reconnecting at once (the auth-storm bench opens 1000 clients of one user together) while a slowloris
 * attack holds at most that many descriptors for at most 10 s.
 */
export const DEFAULT_UPGRADE_LIMITS: UpgradeLimits = { upgradeTimeoutMs: 10_000, maxPendingUpgrades: 1024 };

export type UpgradeRefusal = 'upgrade_timeout' | 'too_many_pending_upgrades';

export interface UpgradeServerDeps {
  /** A `noServer` WebSocketServer: this server hands it each upgrade request. */
  wss: WebSocketServer;
  limits: UpgradeLimits;
  clock: Clock;
  onConnection(ws: WebSocket, req: IncomingMessage): void;
  onRefused(reason: UpgradeRefusal): void;
}

/**
 * The HTTP server under the client WebSocket endpoint. Node's own header timeout is only checked every
 * 30 s, so 2,000 sockets sending partial headers were held for over a minute; here each connection gets
 * its own deadline until the upgrade, and the number waiting is capped.
 */
export function createUpgradeServer(deps: UpgradeServerDeps): Server {
  const { wss, limits, clock } = deps;
  const server = createServer({ headersTimeout: limits.upgradeTimeoutMs, requestTimeout: limits.upgradeTimeoutMs });
  const pending = new Map<Socket, Timer>();

  const settle = (socket: Socket): void => {
    pending.get(socket)?.cancel();
    pending.delete(socket);
  };

  server.on('connection', (socket: Socket) => {
    if (pending.size >= limits.maxPendingUpgrades) {
      deps.onRefused('too_many_pending_upgrades');
      socket.destroy();
      return;
    }
    pending.set(
      socket,
      clock.after(limits.upgradeTimeoutMs, () => {
        if (!pending.delete(socket)) return;
        deps.onRefused('upgrade_timeout');
        socket.destroy();
      }),
    );
    socket.once('close', () => settle(socket));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    settle(socket);
    wss.handleUpgrade(req, socket, head, (ws) => deps.onConnection(ws, req));
  });

  // A plain HTTP request on the WebSocket port: say what is expected, then hang up.
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close', upgrade: 'websocket' });
    res.end('Upgrade Required: this port speaks the OpenAlgo WebSocket protocol\n');
  });

  return server;
}
