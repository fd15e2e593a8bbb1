import { ErrorCode } from '../../protocol/openalgo/index.ts';
import type { TrafficPlan } from './traffic-plan.ts';
import type { ClientOutcome } from './traffic-runner.ts';

/** The client-visible side of a run (what an application would have noticed). */
export interface ClientSummary {
  total: number;
  /** Clients whose plan subscribes to something. */
  subscribing: number;
  sessions: number;
  connectFailures: number;
  /** market_data frames delivered to all clients. */
  ticksDelivered: number;
  /** Subscribing clients whose last connection (in the quiet tail, when the run marked one) received no market_data, by name. */
  withoutData: string[];
  /** Clients that received at least one BROKER_ERROR frame. */
  withBrokerError: string[];
  /** Error frames by code, over all clients. */
  errorCounts: Record<string, number>;
  /** Requests that got no reply in time. */
  unanswered: number;
}

/** Folds the per-client outcomes of a run into what the verdicts need. */
export function summariseClients(plan: TrafficPlan, outcomes: ClientOutcome[]): ClientSummary {
  const subscribing = new Set(plan.clients.filter((c) => c.steps.some((s) => s.kind === 'subscribe')).map((c) => c.name));
  const summary: ClientSummary = {
    total: outcomes.length,
    subscribing: subscribing.size,
    sessions: 0,
    connectFailures: 0,
    ticksDelivered: 0,
    withoutData: [],
    withBrokerError: [],
    errorCounts: {},
    unanswered: 0,
  };
  for (const outcome of outcomes) {
    summary.sessions += outcome.sessions;
    summary.connectFailures += outcome.connectFailures.length;
    summary.ticksDelivered += outcome.marketData;
    summary.unanswered += outcome.unanswered;
    if (subscribing.has(outcome.name) && (outcome.quietTailMarketData ?? outcome.finalSessionMarketData) === 0) summary.withoutData.push(outcome.name);
    if ((outcome.errorCounts[ErrorCode.broker] ?? 0) > 0) summary.withBrokerError.push(outcome.name);
    for (const [code, count] of Object.entries(outcome.errorCounts)) summary.errorCounts[code] = (summary.errorCounts[code] ?? 0) + count;
  }
  return summary;
}
