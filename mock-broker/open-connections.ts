import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ActiveFaults } from './active-faults.ts';
import { BrokerConnection, describeCut, type CutStyle } from './broker-connection.ts';
import type { BrokerRecord } from './broker-record.ts';
import type { EndpointSlots } from './connection-slots.ts';
import type { SubscriptionBook } from './subscription-book.ts';
import type { ConnectionSubscriptions, Endpoint } from './types.ts';

export interface OpenConnectionsParts {
  slots: EndpointSlots<BrokerConnection>;
  book: SubscriptionBook<BrokerConnection>;
  record: BrokerRecord;
  log: Logger;
  limits: Record<Endpoint, number>;
  faults: ActiveFaults;
  /** `--slot-hold-ms`: how long a closed connection's slot stays taken. */
  slotHoldMs: number;
  /** Told of each accepted connection (a fault plan may wait for a client code's first). */
  onAccepted: (connection: BrokerConnection) => void;
}

/**
 * The broker's connections from the moment a handshake takes a slot until they end, on both
 * endpoints. Every way a connection ends goes through `end`, so its slot, subscriptions, record entry
 * and log line are accounted for exactly once.
 */
export class OpenConnections {
  private readonly connections = new Set<BrokerConnection>();
  private nextId = 1;

  constructor(private readonly parts: OpenConnectionsParts) {}

  /** Takes a slot for an admitted handshake; the caller has made room first. */
  open(endpoint: Endpoint, clientCode: string, socket: Duplex): BrokerConnection {
    const connection = new BrokerConnection(this.nextId++, endpoint, clientCode, socket, (c) =>
      this.drop(c, c.closeAfterStyle, describeCut(c.closeAfterStyle, 'close-after fault')),
    );
    this.parts.slots[endpoint].take(clientCode, connection);
    this.connections.add(connection);
    return connection;
  }

  /** The handshake completed: from here on the connection counts as open in the record and the logs. */
  accepted(connection: BrokerConnection, ws: WebSocket): void {
    const { slots, record, log, limits, faults } = this.parts;
    connection.ws = ws;
    connection.shape(faults.shapingFor(connection));
    const { endpoint, clientCode, id } = connection;
    const count = slots[endpoint].openCount(clientCode);
    record.connectionAccepted(endpoint, clientCode, id, count);
    log.info(
      { event: 'connection.accepted', endpoint, clientCode, connectionId: id, count, limit: limits[endpoint] },
      `Accepted ${endpoint} connection ${id} for ${clientCode}; ${count}/${limits[endpoint]} open`,
    );
    this.parts.onAccepted(connection);
  }

  /** The one place a connection ends; every path calls it and only the first call counts. */
  end(connection: BrokerConnection, reason: string, holdSlot: boolean): void {
    if (connection.ended) return;
    const { slots, book, record, log, limits, faults, slotHoldMs } = this.parts;
    const holdMs = holdSlot ? Math.max(slotHoldMs, faults.slowCloseMs(connection)) : 0;
    connection.ended = true;
    this.connections.delete(connection);
    const { endpoint, clientCode, id } = connection;
    slots[endpoint].release(clientCode, connection, holdMs);
    book.remove(connection);
    if (!connection.ws) return;
    const count = slots[endpoint].openCount(clientCode);
    record.connectionClosed(endpoint, clientCode, id, count, reason);
    log.info(
      { event: 'connection.closed', endpoint, clientCode, connectionId: id, count, limit: limits[endpoint], reason },
      `Closed ${endpoint} connection ${id} for ${clientCode} (${reason}); ${count}/${limits[endpoint]} open`,
    );
  }

  /** Ends a connection from the broker's side; its slot is held as after any close. */
  drop(connection: BrokerConnection, style: CutStyle, reason: string): void {
    this.end(connection, reason, true);
    connection.cut(style);
  }

  /** Applies the active faults to every open connection again: one started or ended. */
  reshape(): void {
    for (const c of this.connections) if (c.ws) c.shape(this.parts.faults.shapingFor(c));
  }

  /** A snapshot, so callers may end connections while they walk it. */
  list(): BrokerConnection[] {
    return [...this.connections];
  }

  /** Open connections per client code on each endpoint: what a reset keeps counting. */
  openCounts(): Record<Endpoint, Map<string, number>> {
    const counts: Record<Endpoint, Map<string, number>> = { 'smart-stream': new Map(), 'smart-order-update': new Map() };
    for (const c of this.connections) counts[c.endpoint].set(c.clientCode, (counts[c.endpoint].get(c.clientCode) ?? 0) + 1);
    return counts;
  }

  /** Per client code, every code `clientCodes` lists (0 once its connections are gone). */
  subscriptionCounts(clientCodes: string[]): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(clientCodes.map((code) => [code, 0]));
    for (const c of this.connections) {
      if (c.endpoint === 'smart-stream') counts[c.clientCode] = (counts[c.clientCode] ?? 0) + this.parts.book.countFor(c);
    }
    return counts;
  }

  subscriptions(): ConnectionSubscriptions[] {
    return this.list()
      .filter((c) => c.endpoint === 'smart-stream')
      .map((c) => ({ connectionId: c.id, clientCode: c.clientCode, subscriptions: this.parts.book.entriesFor(c) }));
  }

  /** Ends every connection and cancels every held slot: the broker is shutting down. */
  closeAll(): void {
    for (const c of this.list()) this.drop(c, { mode: 'abort' }, 'broker shutting down');
    for (const slots of Object.values(this.parts.slots)) slots.close();
  }
}
