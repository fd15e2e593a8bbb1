import WebSocket from 'ws';
import {
  ClientAction,
  ServerMessageType,
  type AuthSuccessMessage,
  type OpenAlgoModeCode,
  type SubscribeResponse,
  type SymbolRef,
  type UnsubscribeResponse,
} from '../../protocol/openalgo/index.ts';

/** Opens the socket; injected so tests and other transports can stand in for `ws`. */
export type CreateSocket = (url: string, handshakeTimeoutMs: number) => WebSocket;

const createWsSocket: CreateSocket = (url, handshakeTimeoutMs) =>
  new WebSocket(url, { handshakeTimeout: handshakeTimeoutMs, perMessageDeflate: false });

/** Why a session could not do what was asked; `code` is the server's error code or one of ours. */
export const SessionFailure = {
  unreachable: 'UNREACHABLE',
  timeout: 'TIMEOUT',
  closed: 'CLOSED',
  aborted: 'ABORTED',
} as const;

export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error frame (`{"status":"error","code","message"}`) the server sent, with when it arrived. */
export interface ServerError {
  code: string;
  message: string;
  at: number;
}

export interface SessionOptions {
  apiKey: string;
  /** Bound on the handshake and on waiting for each reply. */
  replyTimeoutMs: number;
  createSocket?: CreateSocket;
  clock?: () => number;
  /** Gives up on a connect or authenticate still in flight (the run ended). */
  signal?: AbortSignal;
  /**
   * Awaited once the socket is open, before authenticating: lets a run hold every client's authenticate
   * until all their sockets are open, so they reach the endpoint together.
   */
  beforeAuthenticate?: () => Promise<void>;
}

interface Waiter {
  type: string;
  resolve: (message: Record<string, unknown>) => void;
  reject: (error: SessionError) => void;
  timer: NodeJS.Timeout;
}

/**
 * One authenticated connection to an OpenAlgo-protocol endpoint
 * (docs/architecture.md#openalgo-client-protocol). The protocol has no request ids, so replies are matched to
 * requests in order by their `type`; an error frame answers the oldest pending request. Every error frame and
 * every market_data push is counted whether or not it answers one.
 */
export class OpenAlgoSession {
  marketData = 0;
  readonly errors: ServerError[] = [];
  /** The `user_id` the endpoint authenticated the key as. */
  userId = '';
  private readonly waiters: Waiter[] = [];
  private closedReason: string | undefined;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: WebSocket,
    private readonly options: Required<Omit<SessionOptions, 'apiKey' | 'signal' | 'beforeAuthenticate'>>,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('message', (data, isBinary) => this.socketOnMessage(data, isBinary));
    socket.on('close', (code) => this.failWaiters(`connection closed by the server (code ${code})`));
    socket.on('error', (err) => this.failWaiters(err.message));
  }

  /** Connects and authenticates; rejects with a SessionError (AUTHENTICATION_ERROR, UNREACHABLE, …). */
  static async open(url: string, options: SessionOptions): Promise<OpenAlgoSession> {
    const session = await OpenAlgoSession.connect(url, options);
    const abort = () => void session.close(true);
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      await options.beforeAuthenticate?.();
      await session.authenticate(options.apiKey);
      return session;
    } catch (err) {
      void session.close(true);
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * Opens the WebSocket without authenticating (an app's service that has connected but not yet sent its
   * key); rejects with a SessionError (UNREACHABLE, ABORTED).
   */
  static async connect(url: string, options: Omit<SessionOptions, 'apiKey'>): Promise<OpenAlgoSession> {
    const resolved = {
      replyTimeoutMs: options.replyTimeoutMs,
      createSocket: options.createSocket ?? createWsSocket,
      clock: options.clock ?? Date.now,
    };
    const socket = resolved.createSocket(url, options.replyTimeoutMs);
    const abort = () => socket.terminate();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      return await OpenAlgoSession.handshake(url, socket, resolved, options);
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  private static async handshake(
    url: string,
    socket: WebSocket,
    resolved: Required<Omit<SessionOptions, 'apiKey' | 'signal' | 'beforeAuthenticate'>>,
    options: Omit<SessionOptions, 'apiKey'>,
  ): Promise<OpenAlgoSession> {
    await new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        socket.removeAllListeners('open');
        // ws may report a second error while aborting the handshake; nobody is waiting for it any more.
        socket.on('error', () => {});
        if (options.signal?.aborted) reject(new SessionError(SessionFailure.aborted, `gave up connecting to ${url}`));
        else reject(new SessionError(SessionFailure.unreachable, `cannot connect to ${url}: ${reason}`));
      };
      socket.once('open', () => {
        socket.removeAllListeners('unexpected-response');
        socket.removeAllListeners('error');
        resolve();
      });
      socket.once('unexpected-response', (_req, res) => {
        fail(`HTTP ${res.statusCode} instead of a WebSocket upgrade`);
        socket.terminate();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    });
    return new OpenAlgoSession(socket, resolved);
  }

  /** Sends the API key; resolves once the endpoint accepted it (`userId` then names the user). */
  async authenticate(apiKey: string): Promise<void> {
    const reply = await this.request({ action: ClientAction.authenticate, api_key: apiKey }, ServerMessageType.auth);
    this.userId = String((reply as unknown as AuthSuccessMessage).user_id ?? '');
  }

  /** Sends the subscribe frames in `batches` back to back (a burst) and waits for every reply. */
  async subscribe(batches: SymbolRef[][], mode: OpenAlgoModeCode): Promise<SubscribeResponse[]> {
    const frames = batches.map((symbols) =>
      symbols.length === 1
        ? { action: ClientAction.subscribe, symbol: symbols[0].symbol, exchange: symbols[0].exchange, mode, depth: 5 }
        : { action: ClientAction.subscribe, symbols, mode },
    );
    const replies = await Promise.all(frames.map((frame) => this.request(frame, ServerMessageType.subscribe)));
    return replies as unknown as SubscribeResponse[];
  }

  async unsubscribe(symbols: SymbolRef[], mode: OpenAlgoModeCode): Promise<UnsubscribeResponse> {
    const frame = { action: ClientAction.unsubscribe, symbols: symbols.map((s) => ({ ...s, mode })) };
    return (await this.request(frame, ServerMessageType.unsubscribe)) as unknown as UnsubscribeResponse;
  }

  /** Closes with 1000 and waits for the close handshake, or drops the TCP connection when `abrupt`. */
  async close(abrupt = false): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (abrupt) this.socket.terminate();
    else this.socket.close(1000, 'done');
    const timer = setTimeout(() => this.socket.terminate(), this.options.replyTimeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  private request(frame: object, replyType: string): Promise<Record<string, unknown>> {
    if (this.closedReason !== undefined || this.socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new SessionError(SessionFailure.closed, this.closedReason ?? 'connection is not open'));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        type: replyType,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new SessionError(SessionFailure.timeout, `no '${replyType}' reply within ${this.options.replyTimeoutMs} ms`));
        }, this.options.replyTimeoutMs),
      };
      this.waiters.push(waiter);
      this.socket.send(JSON.stringify(frame));
    });
  }

  private socketOnMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if (message.type === ServerMessageType.marketData) {
      this.marketData += 1;
      return;
    }
    if (message.status === 'error' && typeof message.code === 'string') {
      this.errors.push({ code: message.code, message: String(message.message ?? ''), at: this.options.clock() });
      const waiter = this.waiters.shift();
      if (waiter) this.settle(waiter, () => waiter.reject(new SessionError(String(message.code), String(message.message ?? ''))));
      return;
    }
    const index = this.waiters.findIndex((w) => w.type === message.type);
    if (index < 0) return;
    const [waiter] = this.waiters.splice(index, 1);
    this.settle(waiter, () => waiter.resolve(message));
  }

  private settle(waiter: Waiter, outcome: () => void): void {
    clearTimeout(waiter.timer);
    outcome();
  }

  private failWaiters(reason: string): void {
    this.closedReason ??= reason;
    for (const waiter of this.waiters.splice(0)) {
      this.settle(waiter, () => waiter.reject(new SessionError(SessionFailure.closed, reason)));
    }
  }
}
