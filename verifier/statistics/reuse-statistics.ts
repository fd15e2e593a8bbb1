import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { ReuseStatistic } from '../types.ts';

/** Adapter creations against reuses per user (or broker): how well the proxy shares its adapters. */
export class ReuseStatistics {
  private readonly subjects = new Map<string, Omit<ReuseStatistic, 'input'>>();

  observe(ev: LogEvent): void {
    if (ev.kind !== 'create' && ev.kind !== 'reuse') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
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
    return [...this.subjects.values()].map((s) => ({ input, ...s }));
  }
}
