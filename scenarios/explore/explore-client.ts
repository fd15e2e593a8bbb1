import { OpenAlgoSession, SessionError } from '../traffic/openalgo-client.ts';
import type { OpenAlgoModeCode, SymbolRef } from '../../protocol/openalgo/index.ts';

export interface ExploreClientOptions {
  url: string;
  apiKey: string;
  replyTimeoutMs: number;
  /** Ends whatever is in flight when the run stops. */
  signal: AbortSignal;
}

/** What one client did, for the judge (when it was connected) and the report (what went wrong). */
export interface ClientTrace {
  spans: { from: number; to: number }[];
  /** Failed connects, refused keys, error frames and unanswered requests, as `CODE: message`. */
  problems: string[];
}

const symbolKey = (s: SymbolRef, mode: OpenAlgoModeCode) => `${s.exchange}:${s.symbol}:${mode}`;

/**
 * One explorer client: at most one connection at a time. Connects, authenticates, subscribes and
 * returns run one after another, as a service does; a leave acts at once, whatever is in flight, so a
 * sequence's timing holds even when the deployment is slow to answer. What it held is kept across a
 * leave so a return can subscribe it again.
 */
export class ExploreClient {
  readonly trace: ClientTrace = { spans: [], problems: [] };
  private session: OpenAlgoSession | undefined;
  private openedAt = 0;
  /** Bumped by every leave: a connect still in flight from before it is closed when it lands. */
  private epoch = 0;
  private queue: Promise<void> = Promise.resolve();
  private closing: Promise<void>[] = [];
  private readonly held = new Map<string, { symbol: SymbolRef; mode: OpenAlgoModeCode }>();

  constructor(private readonly options: ExploreClientOptions) {}

  connect(): Promise<void> {
    return this.enqueue(() => this.open(false));
  }

  authenticate(): Promise<void> {
    return this.enqueue(async () => {
      const session = this.session;
      if (session?.isOpen) await this.attempt(() => session.authenticate(this.options.apiKey));
    });
  }

  subscribe(symbols: SymbolRef[], mode: OpenAlgoModeCode): Promise<void> {
    return this.enqueue(async () => {
      const session = this.session;
      if (!session?.isOpen) return;
      for (const symbol of symbols) this.held.set(symbolKey(symbol, mode), { symbol, mode });
      await this.attempt(() => session.subscribe([symbols], mode));
    });
  }

  unsubscribe(symbols: SymbolRef[], mode: OpenAlgoModeCode): Promise<void> {
    return this.enqueue(async () => {
      const session = this.session;
      if (!session?.isOpen) return;
      for (const symbol of symbols) this.held.delete(symbolKey(symbol, mode));
      await this.attempt(() => session.unsubscribe(symbols, mode));
    });
  }

  /** Reconnects, authenticates and subscribes to what it held, when it is not connected. */
  return(): Promise<void> {
    return this.enqueue(async () => {
      if (this.session?.isOpen || !(await this.open(true))) return;
      const session = this.session;
      const byMode = new Map<OpenAlgoModeCode, SymbolRef[]>();
      for (const { symbol, mode } of this.held.values()) byMode.set(mode, [...(byMode.get(mode) ?? []), symbol]);
      for (const [mode, symbols] of byMode) if (session?.isOpen) await this.attempt(() => session.subscribe([symbols], mode));
    });
  }

  /** Closes the connection now; anything queued behind it finds no connection. */
  leave(abrupt: boolean): void {
    this.epoch += 1;
    const session = this.session;
    this.session = undefined;
    if (session) this.closing.push(this.close(session, abrupt));
  }

  /** Waits for queued work and every close to finish (the caller has left or aborted first). */
  async settle(): Promise<void> {
    await this.queue;
    await Promise.all(this.closing);
  }

  private enqueue(work: () => Promise<unknown>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (!this.options.signal.aborted) await work();
    });
    return this.queue;
  }

  /** Opens (and with `authenticate`, authenticates) a connection; false when it failed or a leave overtook it. */
  private async open(authenticate: boolean): Promise<boolean> {
    if (this.session?.isOpen) return true;
    const epoch = this.epoch;
    const openedAt = Date.now();
    const options = { replyTimeoutMs: this.options.replyTimeoutMs, signal: this.options.signal };
    let session: OpenAlgoSession;
    try {
      session = authenticate
        ? await OpenAlgoSession.open(this.options.url, { ...options, apiKey: this.options.apiKey })
        : await OpenAlgoSession.connect(this.options.url, options);
    } catch (err) {
      this.note(err);
      return false;
    }
    if (epoch !== this.epoch || this.options.signal.aborted) {
      this.closing.push(this.close(session, true, openedAt));
      return false;
    }
    this.session = session;
    this.openedAt = openedAt;
    return true;
  }

  private async close(session: OpenAlgoSession, abrupt: boolean, openedAt = this.openedAt): Promise<void> {
    await session.close(abrupt);
    this.trace.spans.push({ from: openedAt, to: Date.now() });
    for (const error of session.errors) this.trace.problems.push(`${error.code}: ${error.message}`);
  }

  private async attempt(request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (err) {
      // Error frames are in the session's own record; only silence and lost connections are new here.
      if (!(err instanceof SessionError) || !this.session?.errors.some((e) => e.code === err.code)) this.note(err);
    }
  }

  private note(err: unknown): void {
    if (this.options.signal.aborted) return;
    this.trace.problems.push(err instanceof SessionError ? `${err.code}: ${err.message}` : String(err));
  }
}
