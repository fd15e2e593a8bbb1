import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import { SubjectColumn } from './subject-column.ts';
import { MAX_DETAILED_SUBJECTS } from './subject-map.ts';
import { NO_SUBJECT, SubjectTable } from './subject-table.ts';

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
  /** Creations minus removals per user, by subject id. */
  private readonly live = new SubjectColumn();
  /**
   * Per broker (its own subject id): how many users hold an adapter, and the sum of their ids, which
   * names the holder when there is only one, without a list of a million holders to search.
   */
  private readonly holders = new SubjectColumn();
  private readonly holderIdSum = new SubjectColumn(0, 'float64');
  private readonly subjects = new Map<string, Subject>();
  /** Flags of users past the first detailed ones: one builder, so a million users cost one. */
  private readonly others = new FindingBuilder(this.name, 'error');

  constructor(private readonly table: SubjectTable = new SubjectTable()) {}

  observe(ev: LogEvent): void {
    switch (ev.kind) {
      case 'create': {
        if (ev.user === undefined) return;
        const id = this.table.idOf(ev.broker, ev.user);
        const n = this.live.get(id) + 1;
        this.setLive(ev.broker, id, n);
        if (n > 1) this.flag(ev, n);
        return;
      }
      case 'remove':
      case 'teardown':
      case 'invalidated': {
        const id = ev.user === undefined ? NO_SUBJECT : this.table.find(ev.broker, ev.user);
        if (id !== NO_SUBJECT) this.setLive(ev.broker, id, ev.kind === 'invalidated' ? 0 : Math.max(0, this.live.get(id) - 1));
        return;
      }
      case 'active': {
        const broker = this.table.find(ev.broker);
        const holders = this.holders.get(broker);
        const n = ev.count ?? 0;
        // With a single holder the count is that user's: report it with the user's other evidence.
        const holder = holders === 1 ? this.table.userOf(this.holderIdSum.get(broker)) : undefined;
        if (n > Math.max(1, holders)) this.flag({ ...ev, user: holder }, n);
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

  private setLive(broker: string | undefined, id: number, n: number): void {
    const held = this.live.get(id) > 0;
    this.live.set(id, n);
    if (held === n > 0) return;
    const b = this.table.idOf(broker);
    const sign = n > 0 ? 1 : -1;
    this.holders.set(b, this.holders.get(b) + sign);
    this.holderIdSum.set(b, this.holderIdSum.get(b) + sign * id);
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
