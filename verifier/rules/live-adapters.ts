import type { LogEvent } from '../classify/log-event.ts';

/**
 * How many adapters each user (and, for logs that name no user at creation, each broker) holds alive:
 * a creation adds one, a teardown, removal or invalidation ends the user's. It tells concurrent
 * adapters (`many-adapters`) from sequential teardown/recreate cycles (`churn`).
 */
export class LiveAdapters {
  // Per broker, then per user: the user strings of the events are kept as they are, not joined into
  // new keys, which for a log of a million users is most of this map's size.
  private readonly byUser = new Map<string, Map<string, number>>();
  private readonly byBroker = new Map<string, number>();
  private readonly lastTeardown = new Map<string, number>();

  observe(ev: LogEvent): void {
    const broker = ev.broker ?? '?';
    if (ev.kind === 'create') {
      if (ev.user === undefined) this.byBroker.set(broker, (this.byBroker.get(broker) ?? 0) + 1);
      else {
        let users = this.byUser.get(broker);
        if (!users) this.byUser.set(broker, (users = new Map()));
        users.set(ev.user, (users.get(ev.user) ?? 0) + 1);
      }
    } else if (ev.kind === 'teardown' || ev.kind === 'remove' || ev.kind === 'invalidated') {
      this.lastTeardown.set(broker, ev.time);
      if (ev.user !== undefined) this.lastTeardown.set(`${broker}/${ev.user}`, ev.time);
      if (ev.user !== undefined) this.byUser.get(broker)?.delete(ev.user);
      const unnamed = this.byBroker.get(broker);
      if (unnamed !== undefined) this.byBroker.set(broker, Math.max(0, unnamed - 1));
    }
  }

  /** Whether the log shows a teardown of the event's user (or broker) within `spanMs` before it. */
  tornDownWithin(ev: { time: number; user?: string; broker?: string }, spanMs: number): boolean {
    const broker = ev.broker ?? '?';
    const last = this.lastTeardown.get(ev.user !== undefined ? `${broker}/${ev.user}` : broker);
    return last !== undefined && ev.time - last <= spanMs;
  }

  /** Adapters alive for the event's user (or its broker when it names no user). */
  alive(ev: { user?: string; broker?: string }): number {
    const broker = ev.broker ?? '?';
    return ev.user !== undefined ? (this.byUser.get(broker)?.get(ev.user) ?? 0) : (this.byBroker.get(broker) ?? 0);
  }
}
