import type { EventKind, LogEvent } from '../classify/log-event.ts';
import type { RuleFinding, Severity } from '../types.ts';
import { CountedSubjects } from './counted-subjects.ts';
import { subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import type { SubjectTable } from './subject-table.ts';

/** A rule that reports the lines of one event kind, counted per user (or broker), from `threshold` lines on. */
class CountedEventRule implements Rule {
  private readonly subjects: CountedSubjects;

  constructor(
    readonly name: string,
    private readonly kind: EventKind,
    severity: Severity,
    private readonly describe: (count: number, subject: string) => string,
    threshold: number,
    table: SubjectTable | undefined,
  ) {
    this.subjects = new CountedSubjects(name, severity, threshold, table);
  }

  observe(ev: LogEvent): void {
    if (ev.kind === this.kind) this.subjects.count(ev.broker, ev.user)?.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    return this.subjects.findings((b) => b.build(this.describe(b.count, subjectText(b.user, b.broker))));
  }
}


/** REST calls throttled by the broker: a different problem from the WebSocket limit, reported apart. */
export function restRateLimitRule(table?: SubjectTable): Rule {
  return new CountedEventRule(
    'rest-rate-limit',
    'rest-rate-limit',
    'warning',
    (n, who) => `${n} REST call(s) for ${who} throttled by the broker (429 or "exceeding access rate"); not the WebSocket limit`,
    1,
    table,
  );
}

/** `Max reconnection attempts reached`. */
export function retryExhaustedRule(table?: SubjectTable): Rule {
  return new CountedEventRule(
    'retry-exhausted',
    'exhausted',
    'warning',
    (n, who) => `${n} time(s) the adapter for ${who} gave up reconnecting (max reconnection attempts reached)`,
    1,
    table,
  );
}

/** 401/403 from the broker, or an adapter giving up on a rejected token. */
export function authFailureRule(table?: SubjectTable): Rule {
  return new CountedEventRule(
    'auth-failure',
    'auth-failure',
    'warning',
    (n, who) => `${n} authentication failure(s) (401/403 or a rejected token) from the broker for ${who}`,
    1,
    table,
  );
}

/** OpenAlgo's `Stale feed: …` and the brokers' no-message watchdogs: connected, but no ticks. */
export function staleFeedRule(threshold: number, table?: SubjectTable): Rule {
  return new CountedEventRule(
    'stale-feed',
    'stale-feed',
    'warning',
    (n, who) => `${n} time(s) the feed for ${who} reported connected but sent no ticks: the broker socket may be silently dead`,
    threshold,
    table,
  );
}

/** `Connection thread did not terminate within timeout`: the proxy's event loop froze for its 5 s join. */
export function eventLoopStallRule(threshold: number, table?: SubjectTable): Rule {
  return new CountedEventRule(
    'event-loop-stall',
    'loop-stall',
    'warning',
    (n, who) => `${n} time(s) the connection thread for ${who} did not terminate within its timeout: the proxy stalled while tearing down`,
    threshold,
    table,
  );
}
