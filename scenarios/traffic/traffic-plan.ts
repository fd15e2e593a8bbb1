import { OpenAlgoMode, type OpenAlgoModeCode, type SymbolRef } from '../../protocol/openalgo/index.ts';

/** The traffic patterns that caused the incident (docs/probe.md#traffic-scenarios). */
export const SCENARIOS = ['burst', 'churn', 'reconnect', 'all'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** What the plan may subscribe to: index underlyings (one option-chain view each) and equities. */
export interface SymbolUniverse {
  underlyings: SymbolRef[];
  equities: SymbolRef[];
}

export type ClientStep =
  | { at: number; kind: 'connect' }
  /** Each batch is one subscribe frame; the batches go out back to back, as an app's start-up burst. */
  | { at: number; kind: 'subscribe'; batches: SymbolRef[][]; mode: OpenAlgoModeCode }
  | { at: number; kind: 'unsubscribe'; symbols: SymbolRef[]; mode: OpenAlgoModeCode }
  | { at: number; kind: 'disconnect'; abrupt: boolean };

/** One service of the application, with its own connection to the gateway. */
export interface ClientPlan {
  name: string;
  service: string;
  steps: ClientStep[];
}

export interface TrafficPlan {
  scenario: Scenario;
  seed: number;
  durationMs: number;
  clients: ClientPlan[];
  /** Offsets (ms) at which the broker should drop every upstream connection. */
  brokerDrops: number[];
  /**
   * Another application of the same client code holds every broker slot from before the first client
   * until this offset (ms), as in the incident; absent when the scenario has no such app.
   */
  slotsHeldUntil?: number;
}

export interface PlanOptions {
  scenario: Scenario;
  clients: number;
  durationMs: number;
  seed: number;
  universe: SymbolUniverse;
  /** Uniform numbers in [0, 1) from `seed`; the plan's only randomness, so a seed replays a run. */
  random: () => number;
  /**
   * How long the target sleeps before it retries a refused handshake (reproduce: the SDK's 10 s times
   * `--time-scale`). When known, the first churn wave of a scenario with a hold lands in the middle of
   * that sleep, whatever the run's duration.
   */
  retrySleepMs?: number;
}

/**
 * When disruptions happen, as fractions of the active span (the start of the run). The rest of the run is
 * quiet so a healthy gateway can recover and every client's final connection can be judged on its data.
 */
const TIMELINE: Record<Scenario, { churn: number[]; drops: number[]; refresh: number[]; holdUntil?: number; firstWaveInSleep?: boolean }> = {
  burst: { churn: [], drops: [], refresh: [0.55, 0.8] },
  churn: { churn: [0.25, 0.5, 0.75], drops: [], refresh: [] },
  reconnect: { churn: [], drops: [0.35, 0.7], refresh: [] },
  // The incident: another app holds the slots. The first churn wave comes right after the first refusal,
  // while the SDK sleeps in its retry (placed by `retrySleepMs` when the plan knows it); the next
  // adapter's retries run out before the slots free. Then the broker drops everyone and a last wave tears
  // the adapter down.
  all: { churn: [0.03, 0.84], drops: [0.8], refresh: [0.92], holdUntil: 0.7, firstWaveInSleep: true },
};

/**
 * Quiet time kept at the end: a reconnect after a broker drop waits about a second of backoff
 * (docs/gateway.md#recovery-policy), then the replayed subscriptions need a tick or two.
 */
const RECOVERY_MS = 2500;

/** The part of the run in which disruptions happen: 55 % of it, shortened so RECOVERY_MS stays quiet. */
export function activeSpanMs(durationMs: number): number {
  return Math.round(Math.min(0.55 * durationMs, Math.max(durationMs - RECOVERY_MS, 0.35 * durationMs)));
}

/**
 * Every client of a churn wave disconnects at the same instant (one timer tick), so the set empties at a
 * moment the plan chose rather than whenever the slowest close lands on a loaded machine; reconnects
 * start this long after it.
 */
const CHURN_GAP_MS = 330;
const CHURN_REOPEN_WINDOW_MS = 150;
const START_WINDOW_MS = 50;
/** Services up before a churn wave placed in the retry sleep: the incident's waves were of 1–5 clients. */
const EARLY_SERVICES = 2;

/** Builds a repeatable traffic plan: the same options and seed always give the same plan. */
export function planTraffic(options: PlanOptions): TrafficPlan {
  const { random, durationMs, universe } = options;
  const timeline = TIMELINE[options.scenario];
  const span = activeSpanMs(durationMs);
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  const services = servicesOf(universe);
  const clients: ClientPlan[] = [];
  const waves = timeline.churn.map((fraction) => Math.round(fraction * span));
  const inSleep = timeline.firstWaveInSleep === true && timeline.holdUntil !== undefined && options.retrySleepMs !== undefined && waves.length > 0;
  if (inSleep) {
    // The sleep starts at the first refusal, inside the start window; a slow sleep may not push the wave
    // past half the hold, or the next adapter's retries could not run out before the slots free.
    waves[0] = Math.min(START_WINDOW_MS + Math.round(options.retrySleepMs! / 2), Math.round((timeline.holdUntil! * span) / 2));
  }

  for (let i = 0; i < options.clients; i++) {
    const service = services[i % services.length];
    const watch = watchlist(service, universe, random);
    const steps: ClientStep[] = [];
    const open = (at: number) => {
      steps.push({ at, kind: 'connect' });
      steps.push({ at, kind: 'subscribe', batches: burstOf(watch.symbols, random), mode: watch.mode });
    };
    // Only the first services are up when the wave in the sleep comes; the rest start as the app comes
    // back. Twenty authenticates take longer than a scaled sleep on a loaded machine, and the set must
    // empty before the sleep ends.
    const late = inSleep && i >= EARLY_SERVICES;
    if (!late) open(between(0, START_WINDOW_MS));
    for (const fraction of timeline.refresh) {
      const at = Math.round(fraction * span) + between(0, START_WINDOW_MS);
      const dropped = watch.symbols.filter(() => random() < 0.5);
      if (dropped.length > 0) steps.push({ at, kind: 'unsubscribe', symbols: dropped, mode: watch.mode });
      steps.push({ at, kind: 'subscribe', batches: burstOf([...dropped, ...pick(universe.equities, 2, random)], random), mode: watch.mode });
    }
    waves.forEach((wave, w) => {
      if (!(late && w === 0)) steps.push({ at: wave, kind: 'disconnect', abrupt: random() < 0.5 });
      open(wave + CHURN_GAP_MS + between(0, CHURN_REOPEN_WINDOW_MS));
    });
    for (const fraction of timeline.drops) {
      // Half the services give up on a silent feed and reconnect on their own, as real apps do.
      if (random() < 0.5) continue;
      const drop = Math.round(fraction * span);
      steps.push({ at: drop + between(100, 250), kind: 'disconnect', abrupt: true });
      open(drop + between(300, 500));
    }
    steps.sort((a, b) => a.at - b.at);
    clients.push({ name: `${service}#${Math.floor(i / services.length) + 1}`, service, steps });
  }

  return {
    scenario: options.scenario,
    seed: options.seed,
    durationMs,
    clients,
    brokerDrops: timeline.drops.map((fraction) => Math.round(fraction * span)),
    ...(timeline.holdUntil !== undefined ? { slotsHeldUntil: Math.round(timeline.holdUntil * span) } : {}),
  };
}

/** The app's services, in the order clients take them: a position monitor, a session manager, an option chain per index. */
export function servicesOf(universe: SymbolUniverse): string[] {
  return ['position-monitor', 'session-manager', ...universe.underlyings.map((u) => `option-chain:${u.symbol}`)];
}

/** What each kind of service watches and in which mode. */
export function watchlist(service: string, universe: SymbolUniverse, random: () => number): { symbols: SymbolRef[]; mode: OpenAlgoModeCode } {
  if (service === 'position-monitor') return { symbols: pick(universe.equities, 6, random), mode: OpenAlgoMode.Quote };
  if (service === 'session-manager') return { symbols: universe.underlyings.slice(0, 1), mode: OpenAlgoMode.LTP };
  const underlying = universe.underlyings.find((u) => `option-chain:${u.symbol}` === service);
  // The bundled instrument master has no option contracts, so constituents stand in for the strikes.
  return { symbols: [...(underlying ? [underlying] : []), ...pick(universe.equities, 4, random)], mode: OpenAlgoMode.Depth };
}

/** Splits symbols into frames of one to three symbols, mixing the single-symbol and list shapes. */
export function burstOf(symbols: SymbolRef[], random: () => number): SymbolRef[][] {
  const batches: SymbolRef[][] = [];
  for (let i = 0; i < symbols.length; ) {
    const size = 1 + Math.floor(random() * 3);
    batches.push(symbols.slice(i, i + size));
    i += size;
  }
  return batches;
}

/** Draws `count` distinct items (fewer when the pool is smaller). */
function pick<T>(pool: readonly T[], count: number, random: () => number): T[] {
  const rest = [...pool];
  const chosen: T[] = [];
  while (chosen.length < count && rest.length > 0) chosen.push(rest.splice(Math.floor(random() * rest.length), 1)[0]);
  return chosen;
}
