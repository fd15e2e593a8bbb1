import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import { MAX_DETAILED_SUBJECTS } from './subject-map.ts';

interface Subject {
  builder: FindingBuilder;
  peak: number;
}

/**
 * More than one live adapter per user: `Active … adapters: N` above the number of users that hold an
 * adapter (at least 1), or a user's creations minus removals above 1. Creations that name no user
 * cannot be told apart by user and are left to `adapter-burst`.
 */
export class MultipleAdaptersRule implements Rule {
  readonly name = 'multiple-adapters';
  private readonly live = new Map<string, Map<string, number>>();
  private readonly subjects = new Map<string, Subject>();
  /** Flags of users past the first detailed ones: one builder, so a million users cost one. */
  private readonly others = new FindingBuilder(this.name, 'error');

  observe(ev: LogEvent): void {
    const broker = ev.broker ?? '?';
    const users = this.usersOf(broker);
    switch (ev.kind) {
      case 'create':
        if (ev.user === undefined) return;
        users.set(ev.user, (users.get(ev.user) ?? 0) + 1);
        if (users.get(ev.user)! > 1) this.flag(ev, users.get(ev.user)!);
        return;
      case 'remove':
      case 'teardown':
        if (ev.user !== undefined && users.has(ev.user)) users.set(ev.user, Math.max(0, users.get(ev.user)! - 1));
        return;
      case 'invalidated':
        if (ev.user !== undefined) users.set(ev.user, 0);
        return;
      case 'active': {
        const holders = [...users.entries()].filter(([, n]) => n > 0).map(([u]) => u);
        const n = ev.count ?? 0;
        // With a single holder the count is that user's: report it with the user's other evidence.
        if (n > Math.max(1, holders.length)) this.flag({ ...ev, user: holders.length === 1 ? holders[0] : undefined }, n);
        return;
      }
      default:
    }
  }

  finish(): RuleFinding[] {
    const found = [...this.subjects.values()].map((s) =>
      s.builder.build(
        `${s.peak} live adapters for ${subjectText(s.builder.user, s.builder.broker)} at once (expected at most 1 per user)`,
        'many-adapters',
      ),
    );
    if (this.others.count === 0) return found;
    const more = `${this.others.count} more time(s) a user past the first ${MAX_DETAILED_SUBJECTS} held more than one live adapter, summarised with counts`;
    return [...found, this.others.build(more, 'many-adapters')];
  }

  private usersOf(broker: string): Map<string, number> {
    let users = this.live.get(broker);
    if (!users) {
      users = new Map();
      this.live.set(broker, users);
    }
    return users;
  }

  private flag(ev: LogEvent, live: number): void {
    const key = `${ev.broker ?? '?'}/${ev.user ?? ''}`;
    let s = this.subjects.get(key);
    if (!s && this.subjects.size >= MAX_DETAILED_SUBJECTS) {
      this.others.add(ev.time, ev.zoned, ev.ref);
      return;
    }
    if (!s) {
      s = { builder: new FindingBuilder(this.name, 'error', ev.user, ev.broker), peak: 0 };
      this.subjects.set(key, s);
    }
    s.peak = Math.max(s.peak, live);
    s.builder.add(ev.time, ev.zoned, ev.ref);
  }
}
