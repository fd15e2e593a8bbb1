import type { LogEvent } from '../classify/log-event.ts';
import { SubjectColumn } from './subject-column.ts';
import { SubjectTable } from './subject-table.ts';

/**
 * How many adapters each user (and, for logs that name no user at creation, each broker) holds alive:
 * a creation adds one, a teardown, removal or invalidation ends the user's. It tells concurrent
 * adapters (`many-adapters`) from sequential teardown/recreate cycles (`churn`). Counts and times are
 * columns over the judgement's subject ids, 4 bytes a subject (8 more for teardown times), not Map entries.
 */
export class LiveAdapters {
  private readonly counts = new SubjectColumn();
  private readonly lastTeardown = new SubjectColumn(Number.NaN, 'float64');
  private lastEvent: LogEvent | undefined;

  constructor(private readonly subjects: SubjectTable = new SubjectTable()) {}

  observe(ev: LogEvent): void {
    // The rules sharing these counts each hand on the same event in turn; it counts once.
    if (ev === this.lastEvent) return;
    this.lastEvent = ev;
    if (ev.kind === 'create') {
      const id = this.subjects.idOf(ev.broker, ev.user);
      this.counts.set(id, this.counts.get(id) + 1);
    } else if (ev.kind === 'teardown' || ev.kind === 'remove' || ev.kind === 'invalidated') {
      const broker = this.subjects.idOf(ev.broker);
      this.lastTeardown.set(broker, ev.time);
      if (ev.user !== undefined) {
        const id = this.subjects.idOf(ev.broker, ev.user);
        this.lastTeardown.set(id, ev.time);
        this.counts.set(id, 0);
      }
      this.counts.set(broker, Math.max(0, this.counts.get(broker) - 1));
    }
  }

  /** Whether the log shows a teardown of the event's user (or broker) within `spanMs` before it. */
  tornDownWithin(ev: { time: number; user?: string; broker?: string }, spanMs: number): boolean {
    const last = this.lastTeardown.get(this.subjects.find(ev.broker, ev.user));
    return ev.time - last <= spanMs;
  }

  /** Adapters alive for the event's user (or its broker when it names no user). */
  alive(ev: { user?: string; broker?: string }): number {
    return this.counts.get(this.subjects.find(ev.broker, ev.user));
  }
}
