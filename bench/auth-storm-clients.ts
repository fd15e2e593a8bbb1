import { performance } from 'node:perf_hooks';
import type { OpenAlgoModeCode } from '../protocol/openalgo/index.ts';
import { BenchClient, type Reply } from './openalgo-client.ts';
import { serveRequests } from './process-link.ts';

/**
 * The authentication storm's clients: `clients` connections of one user opened at once, each
 * authenticating as soon as it is open and subscribing to one symbol as soon as it is authenticated. Reports when the
 * last one got there, or how many had not when the time limit ran out.
 */

export interface StormRequest {
  url: string;
  apiKey: string;
  clients: number;
  /** Client i subscribes to symbols[i % symbols.length]. */
  symbols: string[];
  exchange: string;
  mode: OpenAlgoModeCode;
  timeoutMs: number;
}

export interface StormResult {
  authenticated: number;
  subscribed: number;
  /** From the first connect to the last successful auth / subscribe reply; null when not all got there in time. */
  allAuthenticatedMs: number | null;
  allSubscribedMs: number | null;
  /** Clients that received market data, and from the first connect to the last one's first frame (null: not all). */
  fed: number;
  allFedMs: number | null;
  /** Error replies and failed connects, by error code. */
  errors: Record<string, number>;
  /** Clients still waiting when time ran out, by what they waited for. */
  stuck: { open: number; auth: number; subscribe: number };
}

const clients: BenchClient[] = [];

serveRequests({
  storm: async (request: StormRequest): Promise<StormResult> => {
    const errors: Record<string, number> = {};
    const countError = (reply: Reply): void => {
      const code = reply.code ?? reply.status ?? 'unknown';
      errors[code] = (errors[code] ?? 0) + 1;
    };
    let authenticated = 0;
    let subscribed = 0;
    let lastAuth = 0;
    let lastSubscribed = 0;
    const stuck = { open: 0, auth: 0, subscribe: 0 };
    let fed = 0;
    let lastFed = 0;
    let allFed: () => void = () => undefined;
    const everyoneFed = new Promise<void>((resolve) => (allFed = resolve));
    const started = performance.now();
    const all = Array.from({ length: request.clients }, async (_, i) => {
      let first = true;
      // Only the first frame is looked at: the storm measures when each client got data at all.
      const client = new BenchClient(request.url, () => {
        if (!first) return;
        first = false;
        fed += 1;
        lastFed = performance.now() - started;
        if (fed === request.clients) allFed();
      });
      clients.push(client);
      stuck.open += 1;
      try {
        await client.opened;
      } catch {
        countError({ code: 'CONNECT_FAILED' });
        return;
      } finally {
        stuck.open -= 1;
      }
      stuck.auth += 1;
      const auth = await client.authenticate(request.apiKey);
      stuck.auth -= 1;
      if (auth.status !== 'success') return countError(auth);
      authenticated += 1;
      lastAuth = performance.now() - started;
      stuck.subscribe += 1;
      const sub = await client.subscribe([request.symbols[i % request.symbols.length]!], request.exchange, request.mode);
      stuck.subscribe -= 1;
      if (sub.status !== 'success') return countError(sub);
      subscribed += 1;
      lastSubscribed = performance.now() - started;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...all, everyoneFed]), new Promise((resolve) => (timer = setTimeout(resolve, request.timeoutMs)))]);
    clearTimeout(timer);
    return {
      authenticated,
      subscribed,
      allAuthenticatedMs: authenticated === request.clients ? lastAuth : null,
      allSubscribedMs: subscribed === request.clients ? lastSubscribed : null,
      fed,
      allFedMs: fed === request.clients ? lastFed : null,
      errors,
      stuck: { ...stuck },
    };
  },
});
