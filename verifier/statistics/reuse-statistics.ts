import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { ReuseStatistic } from '../types.ts';

/** Subjects counted one by one; later ones are summed into one row, so a million users cost one. */
export const MAX_REUSE_SUBJECTS = 1_000;

type Row = Omit<ReuseStatistic, 'input'>;

/** Adapter creations against reuses per user (or broker): how well the proxy shares its adapters. */
export class ReuseStatistics {
  private readonly subjects = new Map<string, Row>();
  private readonly others: Row = { creations: 0, reuses: 0, otherSubjects: true };

  observe(ev: LogEvent): void {
    if (ev.kind !== 'create' && ev.kind !== 'reuse') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s && this.subjects.size >= MAX_REUSE_SUBJECTS) s = this.others;
    if (!s) {
      s = { creations: 0, reuses: 0 };
      if (ev.user !== undefined) s.user = ev.user;
      if (ev.broker !== undefined) s.broker = ev.broker;
      this.subjects.set(key, s);
    }
    if (ev.kind === 'reuse') s.reuses++;
    else s.creations++;
  }

  rows(input: string): ReuseStatistic[] {
    const rows = [...this.subjects.values()].map((s) => ({ input, ...s }));
    return this.others.creations + this.others.reuses > 0 ? [...rows, { input, ...this.others }] : rows;
  }
}
