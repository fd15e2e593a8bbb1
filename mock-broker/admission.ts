import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { AUTH_ERROR_MESSAGES, CONNECTION_LIMIT_MESSAGE } from '../protocol/smartapi/index.ts';
import type { AccountsInUse } from './accounts-in-use.ts';
import type { ActiveFaults, HandshakeFault } from './active-faults.ts';
import type { BrokerConnection } from './broker-connection.ts';
import type { BrokerRecord } from './broker-record.ts';
import { answerClient, type ClientFrameContext } from './client-frames.ts';
import { connectionLimitResponse } from './connection-limit-response.ts';
import type { EndpointSlots } from './connection-slots.ts';
import { checkCredentials, checkOrderUpdateCredentials, readCredentials } from './credentials.ts';
import { ENDPOINT_PATHS, endpointOfPath, orderUpdateGreeting } from './endpoints.ts';
import { refuseHandshake, sendRefusal } from './handshake-refusal.ts';
import type { OpenConnections } from './open-connections.ts';
import { requestTarget } from './request-target.ts';
import type { Endpoint, OnLimit } from './types.ts';

/**
 * The reason a handshake-quota refusal gives. AngelOne documents no connection-rate limit, so this is
 * the mock's own wording, chosen to differ from the count limit's "Connection Limit Exceeded".
 */
export const HANDSHAKE_QUOTA_MESSAGE = 'Too many connection attempts; retry after the Retry-After delay';

export interface AdmissionParts {
  onLimit: OnLimit;
  /** Largest client frame accepted; ws closes the socket with 1009 past it. */
  maxPayload: number;
  limits: Record<Endpoint, number>;
  slots: EndpointSlots<BrokerConnection>;
  connections: OpenConnections;
  accounts: AccountsInUse;
  faults: ActiveFaults;
  frames: ClientFrameContext;
  record: BrokerRecord;
  log: Logger;
}

/**
 * Why a connection ended, in the words the event timeline and the logs use. When ws itself closed the
 * socket over a protocol error, its close code is 1006 locally, so the error says what happened.
 */
function describeClose(code: number, error: (Error & { code?: string }) | undefined): string {
  if (error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'message too big (1009)';
  if (error) return `protocol error (${error.code ?? error.message})`;
  if (code === 1006) return 'connection lost (1006)';
  return `client closed (${code})`;
}

/**
 * Decides every WebSocket handshake as AngelOne does: an unknown path gets 404; a pending reject-next
 * fault, bad credentials (401) or a client code at its limit (429) get AngelOne's refusal; past the
 * limit `--on-limit` may make room instead. An admitted handshake takes a slot before it upgrades.
 */
export class Admission {
  private readonly wss: WebSocketServer;

  constructor(private readonly parts: AdmissionParts) {
    // answerClient pongs by hand, so that a stall fault can withhold control-frame pongs too.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: parts.maxPayload, autoPong: false });
  }

  /** The HTTP server's `upgrade` listener. */
  readonly serverOnUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { slots, connections, accounts, faults } = this.parts;
    // A peer that resets mid-handshake must not crash the process; 'close' does the accounting.
    socket.on('error', () => undefined);
    const { pathname, query } = requestTarget(req);
    const endpoint = endpointOfPath(pathname);
    if (endpoint === undefined) {
      refuseHandshake(socket, 404);
      return;
    }
    const presented = readCredentials(req, query);
    const forced = faults.handshake({ endpoint, clientCode: presented.clientCode ?? '' });
    if (forced !== undefined) {
      this.forced(socket, endpoint, presented.clientCode ?? '', forced);
      return;
    }
    const check = endpoint === 'smart-stream' ? checkCredentials(presented, accounts) : checkOrderUpdateCredentials(presented, accounts);
    if (!check.ok) {
      this.refuse(socket, endpoint, check.clientCode, 401, check.message, check.message);
      return;
    }
    const { clientCode } = check;
    if (slots[endpoint].isFull(clientCode) && !this.makeRoom(endpoint, clientCode)) {
      this.refuse(socket, endpoint, clientCode, 429, CONNECTION_LIMIT_MESSAGE, 'connection limit');
      return;
    }
    if (socket.destroyed) return;
    if (presented.authToken !== undefined) accounts.jwtPresented(clientCode, presented.authToken);
    const connection = connections.open(endpoint, clientCode, socket);
    // Until the upgrade completes, only the raw socket can tell us the peer went away.
    socket.once('close', () => {
      if (!connection.ws) connections.end(connection, 'closed during handshake', false);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(connection, ws));
  };

  /** Stops upgrading; the connections already open are ended by their owner. */
  close(): void {
    this.wss.close();
  }

  /** Refuses a handshake; the connection limit's 429 has AngelOne's exact shape, any other refusal (with `headers`) a plain page. */
  private refuse(socket: Duplex, endpoint: Endpoint, clientCode: string, status: 401 | 429, message: string, reason: string, headers?: Record<string, string>): void {
    const { slots, record, log, limits } = this.parts;
    const count = slots[endpoint].openCount(clientCode);
    const event = record.handshakeRejected(endpoint, clientCode, status, reason, count);
    log.warn(
      { event: 'connection.rejected', endpoint, clientCode, status, reason, count, limit: limits[endpoint] },
      `Rejected ${endpoint} handshake for ${clientCode || '(no client code)'} with ${status} ${message}`,
    );
    if (status === 429 && headers === undefined) sendRefusal(socket, connectionLimitResponse(ENDPOINT_PATHS[endpoint], new Date(event.time)));
    else refuseHandshake(socket, status, message, headers);
  }

  /** A handshake a fault decides: an outage cuts it unanswered; reject-next and handshake-quota refuse it. */
  private forced(socket: Duplex, endpoint: Endpoint, clientCode: string, forced: HandshakeFault): void {
    if (forced.action === 'cut') {
      this.parts.log.warn({ event: 'connection.cut', endpoint, clientCode, reason: forced.reason }, `Cut ${endpoint} handshake for ${clientCode || '(no client code)'} unanswered (${forced.reason})`);
      socket.destroy();
      return;
    }
    if (forced.retryAfterSeconds !== undefined) {
      this.refuse(socket, endpoint, clientCode, 429, HANDSHAKE_QUOTA_MESSAGE, forced.reason, { 'Retry-After': String(forced.retryAfterSeconds) });
      return;
    }
    const message = forced.status === 429 ? CONNECTION_LIMIT_MESSAGE : AUTH_ERROR_MESSAGES.header;
    this.refuse(socket, endpoint, clientCode, forced.status, message, forced.reason);
  }

  /** Makes room past the limit the way `--on-limit` says; false when the handshake must be refused. */
  private makeRoom(endpoint: Endpoint, clientCode: string): boolean {
    const { onLimit, slots, connections } = this.parts;
    if (onLimit === 'reject') return false;
    const evicted = slots[endpoint].evictOldest(clientCode);
    if (!evicted) return true;
    if (onLimit === 'evict-oldest') {
      connections.end(evicted, 'evicted by a newer connection', false);
      evicted.cut({ mode: 'abort' });
    } else {
      connections.end(evicted, 'reset by a newer connection (close-existing)', false);
      evicted.cut({ mode: 'reset' });
    }
    return true;
  }

  private admit(connection: BrokerConnection, ws: WebSocket): void {
    const { connections, frames } = this.parts;
    connections.accepted(connection, ws);
    // Protocol errors (e.g. an oversized frame) are always followed by 'close', which does the accounting.
    let protocolError: Error | undefined;
    ws.on('error', (err) => (protocolError = err));
    ws.on('close', (code) => connections.end(connection, describeClose(code, protocolError), true));
    answerClient(frames, connection, ws);
    if (connection.endpoint === 'smart-order-update') connection.send(orderUpdateGreeting(connection.clientCode));
  }
}
