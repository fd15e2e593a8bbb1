import { subjectKey, type EventKind, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding, Severity } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';

/** A rule that reports the lines of one event kind, counted per user (or broker), from `threshold` lines on. */
class CountedEventRule implements Rule {
  private readonly subjects = new Map<string, FindingBuilder>();

  constructor(
    readonly name: string,
    private readonly kind: EventKind,
    private readonly severity: Severity,
    private readonly describe: (count: number, subject: string) => string,
    private readonly threshold = 1,
  ) {}

  observe(ev: LogEvent): void {
    if (ev.kind !== this.kind) return;
    const key = subjectKey(ev);
    let b = this.subjects.get(key);
    if (!b) {
      b = new FindingBuilder(this.name, this.severity, ev.user, ev.broker);
      this.subjects.set(key, b);
    }
    b.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    return [...this.subjects.values()]
      .filter((b) => b.count >= this.threshold)
      .map((b) => b.build(this.describe(b.count, subjectText(b.user, b.broker))));
  }
}


/** REST calls throttled by the broker: a different problem from the WebSocket limit, reported apart. */
export function restRateLimitRule(): Rule {
  return new CountedEventRule('rest-rate-limit', 'rest-rate-limit', 'warning', (n, who) =>
    `${n} REST call(s) for ${who} throttled by the broker (429 or "exceeding access rate"); not the WebSocket limit`,
  );
}

/** `Max reconnection attempts reached`. */
export function retryExhaustedRule(): Rule {
  return new CountedEventRule('retry-exhausted', 'exhausted', 'warning', (n, who) =>
    `${n} time(s) the adapter for ${who} gave up reconnecting (max reconnection attempts reached)`,
  );
}

/** 401/403 from the broker, or an adapter giving up on a rejected token. */
export function authFailureRule(): Rule {
  return new CountedEventRule('auth-failure', 'auth-failure', 'warning', (n, who) =>
    `${n} authentication failure(s) (401/403 or a rejected token) from the broker for ${who}`,
  );
}

/** OpenAlgo's `Stale feed: …` and the brokers' no-message watchdogs: connected, but no ticks. */
export function staleFeedRule(threshold: number): Rule {
  return new CountedEventRule(
    'stale-feed',
    'stale-feed',
    'warning',
    (n, who) => `${n} time(s) the feed for ${who} reported connected but sent no ticks: the broker socket may be silently dead`,
    threshold,
  );
}

/** `Connection thread did not terminate within timeout`: the proxy's event loop froze for its 5 s join. */
export function eventLoopStallRule(threshold: number): Rule {
  return new CountedEventRule(
    'event-loop-stall',
    'loop-stall',
    'warning',
    (n, who) => `${n} time(s) the connection thread for ${who} did not terminate within its timeout: the proxy stalled while tearing down`,
    threshold,
  );
}
