import { AdapterBurstRule } from './adapter-burst.ts';
import { AdapterChurnRule } from './adapter-churn.ts';
import { Broker429Rule } from './broker-429.ts';
import { ConnectStormRule } from './connect-storm.ts';
import { ConnectUnansweredRule } from './connect-unanswered.ts';
import { DialWithNoClientRule } from './dial-with-no-client.ts';
import { authFailureRule, eventLoopStallRule, restRateLimitRule, retryExhaustedRule, staleFeedRule } from './counted-events.ts';
import { ForcedReconnectRule } from './forced-reconnect.ts';
import { MultipleAdaptersRule } from './multiple-adapters.ts';
import { RetryAfterRefusalRule } from './retry-after-refusal.ts';
import type { Rule, Thresholds } from './rule.ts';
import type { RuleContext } from './rule-context.ts';
import { ZombieReconnectRule } from './zombie-reconnect.ts';
import type { Severity } from '../types.ts';

/**
 * One built-in rule: its name (the docs/rules.md anchor and what verify reports), the severity it
 * reports at (`graded`: error when storm-like, else warning) and one line for `stormcheck rules`. The
 * table is the only list of rules; everything else derives from it (its thresholds: thresholds.ts).
 */
export interface RuleEntry {
  readonly name: string;
  readonly severity: Severity;
  readonly graded?: true;
  readonly summary: string;
  /** `shared`: the state the rules of one judgement share (its subject table, its live adapters). */
  readonly create: (t: Thresholds, shared: RuleContext) => Rule;
}

/** The built-in rules, in the order the report lists them. */
export const RULE_CATALOG: readonly RuleEntry[] = [
  {
    name: 'adapter-burst',
    severity: 'error',
    summary: 'more adapter creations for one user within the window than the burst allows',
    create: (t, shared) => new AdapterBurstRule(t, shared.live),
  },
  {
    name: 'connect-storm',
    severity: 'error',
    summary: 'a storm of fresh upstream connection attempts within 1 s',
    create: (t, shared) => new ConnectStormRule(t, shared.live),
  },
  {
    name: 'broker-429',
    severity: 'error',
    graded: true,
    summary: 'the broker refused WebSocket connections with 429 Connection Limit Exceeded',
    create: (t, shared) => new Broker429Rule(t, shared.subjects),
  },
  {
    name: 'retry-after-refusal',
    severity: 'error',
    summary: 'a handshake dialled sooner than the back-off floor after a 429 refusal of the same user',
    create: (t) => new RetryAfterRefusalRule(t.retryFloorMs),
  },
  {
    name: 'rest-rate-limit',
    severity: 'warning',
    summary: 'REST calls throttled by the broker (not the WebSocket limit)',
    create: (_t, shared) => restRateLimitRule(shared.subjects),
  },
  {
    name: 'multiple-adapters',
    severity: 'error',
    summary: 'more than one live adapter for one user at once',
    create: (_t, shared) => new MultipleAdaptersRule(shared.subjects),
  },
  {
    name: 'adapter-churn',
    severity: 'error',
    summary: 'adapters torn down and recreated for one user, again and again',
    create: (t, shared) => new AdapterChurnRule(t, shared.subjects),
  },
  {
    name: 'dial-with-no-client',
    severity: 'error',
    summary: 'an upstream handshake dialled while the application logged no client for that user',
    create: (_t, shared) => new DialWithNoClientRule(shared.subjects),
  },
  {
    name: 'connect-unanswered',
    severity: 'error',
    graded: true,
    summary: 'upstream connection attempts that no Connected line answers (a 429 storm that logs no 429)',
    create: (t, shared) => new ConnectUnansweredRule(t, shared.subjects),
  },
  {
    name: 'retry-exhausted',
    severity: 'warning',
    summary: 'an adapter gave up reconnecting (max reconnection attempts reached)',
    create: (_t, shared) => retryExhaustedRule(shared.subjects),
  },
  {
    name: 'auth-failure',
    severity: 'warning',
    summary: 'the broker answered 401/403 or rejected the token',
    create: (_t, shared) => authFailureRule(shared.subjects),
  },
  {
    name: 'zombie-reconnect',
    severity: 'error',
    summary: 'SDK retries after its adapter was torn down: a socket nobody owns any more',
    create: (t, shared) => new ZombieReconnectRule(t.zombieReconnect, shared.subjects),
  },
  {
    name: 'forced-reconnect',
    severity: 'error',
    graded: true,
    summary: 'a data-stall watchdog forcing reconnects, each a fresh upstream handshake: an error when periodic',
    create: (t, shared) => new ForcedReconnectRule(t, shared.subjects),
  },
  {
    name: 'stale-feed',
    severity: 'warning',
    summary: 'the feed reported connected but sent no ticks',
    create: (t, shared) => staleFeedRule(t.staleFeed, shared.subjects),
  },
  {
    name: 'event-loop-stall',
    severity: 'warning',
    summary: 'a connection thread did not terminate within its timeout: the proxy stalled',
    create: (t, shared) => eventLoopStallRule(t.eventLoopStall, shared.subjects),
  },
];

/** A rule's default severity in words: `error`, or `error when storm-like, else warning`. */
export function severityText(entry: RuleEntry): string {
  return entry.graded ? `${entry.severity} when storm-like, else warning` : entry.severity;
}

/** The catalog entry of a built-in rule, or undefined for a pattern rule or a typo. */
export function ruleEntry(name: string): RuleEntry | undefined {
  return RULE_CATALOG.find((r) => r.name === name);
}
