import type { LogEvent } from './classify/log-event.ts';
import type { TimelineMinute } from './types.ts';

/** Per-minute counts of adapter creations, connection attempts and 429 refusals. */
export class Timeline {
  private readonly minutes = new Map<number, TimelineMinute>();

  observe(ev: LogEvent): void {
    const field = ev.kind === 'create' ? 'creations' : ev.kind === 'attempt' ? 'attempts' : ev.kind === 'refused' ? 'refusals' : undefined;
    if (!field) return;
    const minute = Math.floor(ev.time / 60_000);
    let m = this.minutes.get(minute);
    if (!m) {
      m = { minute: new Date(minute * 60_000).toISOString().slice(0, 16), creations: 0, attempts: 0, refusals: 0 };
      this.minutes.set(minute, m);
    }
    m[field]++;
  }

  /** The minutes that saw any of these, in time order. */
  rows(): TimelineMinute[] {
    return [...this.minutes.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
  }
}
