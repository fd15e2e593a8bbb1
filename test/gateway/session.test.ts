import { DEFAULT_SOURCE_LIMITS, SourceGuard } from '../../gateway/client/source-guard.ts';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import type WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { TickFanOut } from '../../gateway/client/fanout.ts';
import { ClientSession, DEFAULT_CLIENT_LIMITS, type SessionContext } from '../../gateway/client/session.ts';
import { WriteBatch } from '../../gateway/client/write-batch.ts';
import { BUNDLED_INSTRUMENTS_PATH, InstrumentMaster, loadInstrumentsFile } from '../../gateway/instruments.ts';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import type { Lease, Registry } from '../../gateway/registry/registry.ts';
import { UserDirectory } from '../../gateway/users.ts';
import { FakeClock } from '../support/gateway-fakes.ts';
import { LogCapture, USER, waitFor } from '../support/gateway-harness.ts';

/** The few members of a server-side ws the session touches. */
class FakeClientSocket {
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: any[] = [];
  send(data: string | Buffer): void {
    this.sent.push(JSON.parse(data.toString()));
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

function session(registry: Registry, limits = {}): { socket: FakeClientSocket; session: ClientSession; logs: LogCapture } {
  const socket = new FakeClientSocket();
  const logs = new LogCapture();
  const clock = new FakeClock();
  const context: SessionContext = {
    users: new UserDirectory([USER]),
    instruments: new InstrumentMaster(loadInstrumentsFile(BUNDLED_INSTRUMENTS_PATH)),
    registry,
    metrics: new GatewayMetrics(),
    logger: pino({ base: undefined }, logs),
    clock,
    limits: { ...DEFAULT_CLIENT_LIMITS, ...limits },
    fanOutFor: () => new TickFanOut('angel', { delivered: () => undefined, dropped: () => undefined }),
    brokerStatusFor: () => ({ state: 'open' }),
    writeBatch: new WriteBatch(),
    attached: () => undefined,
    detached: () => undefined,
    sources: new SourceGuard(DEFAULT_SOURCE_LIMITS, clock, DEFAULT_CLIENT_LIMITS.authFailureDelayMs),
  };
  return { socket, session: new ClientSession(1, socket as unknown as WebSocket, new PassThrough(), context, '127.0.0.1'), logs };
}

const frame = (message: object): Buffer => Buffer.from(JSON.stringify(message));

function registryWith(acquire: () => Promise<Lease>): Registry {
  return { acquire, remove: async () => undefined, health: () => [], close: async () => undefined };
}

describe('client session', () => {
  it('an unexpected failure while authenticating is answered with SERVER_ERROR and logged, not thrown', async () => {
    const { socket, session: s, logs } = session(registryWith(() => Promise.reject(new Error('registry exploded'))));
    s.receive(frame({ action: 'authenticate', api_key: USER.apiKey }), false);
    await waitFor(() => socket.sent.length === 1, 'the error reply');
    expect(socket.sent[0]).toEqual({ status: 'error', code: 'SERVER_ERROR', message: 'Internal error while handling this frame' });
    expect(logs.count('client.error')).toBe(1);
    s.receive(frame({ action: 'ping' }), false);
    await waitFor(() => socket.sent.length === 2, 'the pong');
    expect(socket.sent[1].type).toBe('pong');
  });

  it('frames behind a pending authenticate queue in order, up to the cap', async () => {
    let grant: (lease: Lease) => void = () => undefined;
    const { socket, session: s } = session(registryWith(() => new Promise((resolve) => (grant = resolve))), { maxQueuedFrames: 2 });
    s.receive(frame({ action: 'authenticate', api_key: USER.apiKey }), false);
    s.receive(frame({ action: 'ping', timestamp: 1 }), false);
    s.receive(frame({ action: 'ping', timestamp: 2 }), false);
    s.receive(frame({ action: 'ping', timestamp: 3 }), false);
    expect(socket.sent).toEqual([
      { status: 'error', code: 'INVALID_PARAMETERS', message: 'Too many frames while authentication is pending; wait for the auth reply' },
    ]);
    const adapter = { user: USER, broker: 'angel', state: 'open' } as Lease['adapter'];
    grant({ adapter, release: () => undefined });
    await waitFor(() => socket.sent.length === 5, 'the auth reply, the broker status and two pongs');
    expect(socket.sent.slice(1).map((m) => m.type)).toEqual(['auth', 'broker_status', 'pong', 'pong']);
    expect(socket.sent.slice(3).map((m) => m.client_timestamp)).toEqual([1, 2]);
  });
});
