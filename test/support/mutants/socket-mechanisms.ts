import type { UpstreamSocket, UpstreamSocketConstructor } from '../../../gateway/upstream/upstream-socket.ts';
import { CREDENTIAL_HEADERS } from '../../../protocol/smartapi/index.ts';

/**
 * Socket-level mechanisms of the bug: each wraps the upstream WebSocket constructor the fixed adapter
 * dials with, so the adapter stays the fix and only the wrapped behaviour differs.
 */

type Listener = (...args: any[]) => void;
type SocketOptions = ConstructorParameters<UpstreamSocketConstructor>[1];

const OPEN = 1;

/** Forwards everything to the real socket; the mechanisms override what they change. */
class ForwardingSocket implements UpstreamSocket {
  protected readonly inner: UpstreamSocket;
  protected readonly clientCode: string;

  constructor(Base: UpstreamSocketConstructor, url: string, options: SocketOptions) {
    this.inner = new Base(url, options);
    this.clientCode = options.headers[CREDENTIAL_HEADERS.clientCode] ?? '';
  }

  get readyState(): number {
    return this.inner.readyState;
  }

  send(data: string): void {
    this.inner.send(data);
  }

  close(): void {
    this.inner.close();
  }

  terminate(): void {
    this.inner.terminate();
  }

  on(event: string, listener: Listener): unknown {
    return this.inner.on(event, listener);
  }
}

/**
 * Lose subscriptions on reconnect: what the adapter sends from inside its open handler (the replay of
 * everything its clients hold) is dropped on every socket of a client code but the first, so after a
 * reconnect only what clients subscribe afresh reaches the broker.
 */
export function loseSubscriptionsOnReconnect(Base: UpstreamSocketConstructor): UpstreamSocketConstructor {
  const opened = new Set<string>();
  return class extends ForwardingSocket {
    private dropping = false;

    constructor(url: string, options: SocketOptions) {
      super(Base, url, options);
    }

    override send(data: string): void {
      if (!this.dropping) super.send(data);
    }

    override on(event: string, listener: Listener): unknown {
      if (event !== 'open') return super.on(event, listener);
      return super.on('open', (...args: unknown[]) => {
        this.dropping = opened.has(this.clientCode);
        opened.add(this.clientCode);
        try {
          listener(...args);
        } finally {
          this.dropping = false;
        }
      });
    }
  };
}

/** The wrapped constructor and a way to end what it keeps alive on its own. */
export interface SelfDriven {
  WebSocket: UpstreamSocketConstructor;
  /** Ends every socket the mechanism holds and stops it dialling more. */
  stop(): void;
}

/**
 * Nested retry chains: a second retry layer under the adapter (the SDK's, in OpenAlgo). When an open
 * socket is lost without the adapter asking, the layer dials a replacement of its own after `delayMs`,
 * replays the text frames the lost socket had sent, and keeps it; the adapter, unaware, reconnects too.
 * A replacement that is lost does the same, so every broker drop adds a chain.
 */
export function nestedRetryChains(Base: UpstreamSocketConstructor, delayMs: number): SelfDriven {
  const chains = new Set<UpstreamSocket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const retry = (url: string, options: SocketOptions, frames: string[]): void => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      const socket = new Base(url, options);
      chains.add(socket);
      let opened = false;
      socket.on('open', () => {
        opened = true;
        for (const frame of frames) socket.send(frame);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        chains.delete(socket);
        if (opened) retry(url, options, frames);
      });
    }, delayMs);
    timer.unref();
    timers.add(timer);
  };

  const WebSocket = class extends ForwardingSocket {
    private readonly frames: string[] = [];
    private asked = false;

    constructor(url: string, options: SocketOptions) {
      super(Base, url, options);
      let opened = false;
      this.inner.on('open', () => (opened = true));
      this.inner.on('close', () => {
        if (opened && !this.asked) retry(url, options, this.frames);
      });
    }

    override send(data: string): void {
      this.frames.push(data);
      super.send(data);
    }

    override close(): void {
      this.asked = true;
      super.close();
    }

    override terminate(): void {
      this.asked = true;
      super.terminate();
    }
  };
  return {
    WebSocket,
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      for (const socket of chains) socket.terminate();
    },
  };
}

/**
 * Open the new socket before the old one closes: when the adapter closes an open socket (a dead-socket
 * reconnect, a teardown), it is told at once that the socket is gone, but the socket really closes only
 * once the next socket of its client code has opened, or after `holdMs`. So a reconnect overlaps the old
 * connection at the broker.
 */
export function openBeforeClose(Base: UpstreamSocketConstructor, holdMs: number): SelfDriven {
  const lingering = new Map<string, Set<UpstreamSocket>>();
  const held = (code: string) => lingering.get(code) ?? lingering.set(code, new Set()).get(code)!;
  const release = (code: string) => {
    for (const socket of held(code)) socket.terminate();
    held(code).clear();
  };

  const WebSocket = class extends ForwardingSocket {
    private readonly closeListeners: Listener[] = [];
    private reported = false;

    constructor(url: string, options: SocketOptions) {
      super(Base, url, options);
      this.inner.on('open', () => release(this.clientCode));
      this.inner.on('close', (...args: unknown[]) => this.report(...args));
    }

    override on(event: string, listener: Listener): unknown {
      if (event !== 'close') return super.on(event, listener);
      this.closeListeners.push(listener);
      return this;
    }

    override close(): void {
      this.detach();
    }

    override terminate(): void {
      this.detach();
    }

    private detach(): void {
      if (this.inner.readyState !== OPEN) {
        this.inner.terminate();
        return;
      }
      held(this.clientCode).add(this.inner);
      const timer = setTimeout(() => this.inner.terminate(), holdMs);
      timer.unref();
      queueMicrotask(() => this.report(1006));
    }

    private report(...args: unknown[]): void {
      if (this.reported) return;
      this.reported = true;
      for (const listener of this.closeListeners) listener(...args);
    }
  };
  return {
    WebSocket,
    stop: () => {
      for (const code of lingering.keys()) release(code);
    },
  };
}
