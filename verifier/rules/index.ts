import { AdapterBurstRule } from './adapter-burst.ts';
import { AdapterChurnRule } from './adapter-churn.ts';
import { ConnectStormRule } from './connect-storm.ts';
import { ConnectUnansweredRule } from './connect-unanswered.ts';
import { Broker429Rule } from './broker-429.ts';
import { authFailureRule, eventLoopStallRule, restRateLimitRule, retryExhaustedRule, staleFeedRule } from './counted-events.ts';
import { ForcedReconnectRule } from './forced-reconnect.ts';
import { MultipleAdaptersRule } from './multiple-adapters.ts';
import type { Rule, Thresholds } from './rule.ts';
import { ZombieReconnectRule } from './zombie-reconnect.ts';

export type { Rule, Thresholds } from './rule.ts';
export { PatternRule } from './pattern-rule.ts';

/** The built-in rules (docs/rules.md), in the order the report lists them. */
export function builtInRules(t: Thresholds): Rule[] {
  return [
    new AdapterBurstRule(t),
    new ConnectStormRule(t),
    new Broker429Rule(),
    restRateLimitRule(),
    new MultipleAdaptersRule(),
    new AdapterChurnRule(t),
    new ConnectUnansweredRule(t),
    retryExhaustedRule(),
    authFailureRule(),
    new ZombieReconnectRule(t.zombieReconnect),
    new ForcedReconnectRule(t.forcedReconnect),
    staleFeedRule(t.staleFeed),
    eventLoopStallRule(t.eventLoopStall),
  ];
}

/** The names of the built-in rules, in report order (one JUnit testcase each, even when clean). */
export function builtInRuleNames(t: Thresholds): string[] {
  return builtInRules(t).map((rule) => rule.name);
}
