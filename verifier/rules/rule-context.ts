import { LiveAdapters } from './live-adapters.ts';
import { SubjectTable } from './subject-table.ts';

/**
 * What the built-in rules of one judgement share: one table of its subjects, so each user name is
 * stored once whatever the number of rules, and one count of live adapters, which adapter-burst and
 * connect-storm both consult.
 */
export interface RuleContext {
  readonly subjects: SubjectTable;
  readonly live: LiveAdapters;
}

export function newRuleContext(): RuleContext {
  const subjects = new SubjectTable();
  return { subjects, live: new LiveAdapters(subjects) };
}
