import { placeFor, timeToCompact } from '../sorted-place.ts';
import { SWEEP_GROWTH } from './subject-map.ts';

/** Times of one user's creations, oldest first, dropped from the front. */
interface UserTimes {
  times: number[];
  head: number;
}

/**
 * A user's creations: the time itself while there is one (most users in a window have one, and a log of a
 * million users would otherwise make two objects per line for the collector), a list from the second.
 */
type UserEntry = number | UserTimes;

/**
 * The adapter creations (or pool connections) of one broker within the last `keepMs` of log time,
 * counted near a connection attempt: how many, and for how many distinct users. Walking every creation
 * of the last minute for each attempt made a log of 100 creations a second take 43 s for an hour;
 * counts come from binary searches instead, and the distinct users near a run of attempts (the SDK's
 * lines name no user) from a window that slides with them.
 */
export class RecentCreations {
  private times: number[] = [];
  private users: (string | undefined)[] = [];
  private head = 0;
  private readonly byUser = new Map<string | undefined, UserEntry>();
  // The distinct-user window: entries [lo, hi) are those within `span` up to `at`, counted by user.
  private lo = 0;
  private hi = 0;
  private at = Number.NEGATIVE_INFINITY;
  private span = -1;
  private readonly inWindow = new Map<string | undefined, number>();

  constructor(private readonly keepMs: number) {}

  /** The time of the newest creation held, or -Infinity. */
  get newest(): number {
    return this.times.length > this.head ? this.times[this.times.length - 1] : Number.NEGATIVE_INFINITY;
  }

  add(time: number, user: string | undefined): void {
    // Older than what is kept: expired as soon as added.
    if (time < this.newest - this.keepMs) return;
    const i = insertSorted(this.times, this.head, time);
    if (i === this.users.length) this.users.push(user);
    else this.users.splice(i, 0, user);
    if (i < this.hi) this.resetWindow();
    const mine = this.byUser.get(user);
    if (mine === undefined) this.byUser.set(user, time);
    else if (typeof mine === 'number') this.byUser.set(user, { times: mine <= time ? [mine, time] : [time, mine], head: 0 });
    else insertSorted(mine.times, mine.head, time);
    this.expire(this.times[this.times.length - 1] - this.keepMs);
  }

  /** Creations at or before `time` and at most `spanMs` before it: of `user`, or of anyone when undefined. */
  count(time: number, spanMs: number, user?: string): number {
    if (user === undefined) return between(this.times, this.head, time - spanMs, time);
    const mine = this.byUser.get(user);
    if (mine === undefined) return 0;
    if (typeof mine === 'number') return mine >= time - spanMs && mine <= time ? 1 : 0;
    return between(mine.times, mine.head, time - spanMs, time);
  }

  /** Distinct users with a creation in the same span (`user` alone when given; no user counts as one). */
  distinctUsers(time: number, spanMs: number, user?: string): number {
    if (user !== undefined) return this.count(time, spanMs, user) > 0 ? 1 : 0;
    if (time < this.at || spanMs !== this.span || this.lo < this.head) this.resetWindow();
    this.at = time;
    this.span = spanMs;
    for (; this.hi < this.times.length && this.times[this.hi] <= time; this.hi++) {
      const u = this.users[this.hi];
      this.inWindow.set(u, (this.inWindow.get(u) ?? 0) + 1);
    }
    for (; this.lo < this.hi && this.times[this.lo] < time - spanMs; this.lo++) {
      const u = this.users[this.lo];
      const n = this.inWindow.get(u)! - 1;
      if (n === 0) this.inWindow.delete(u);
      else this.inWindow.set(u, n);
    }
    return this.inWindow.size;
  }

  private expire(cutoff: number): void {
    while (this.head < this.times.length && this.times[this.head] < cutoff) {
      const user = this.users[this.head++];
      // The user's list was pruned to the same cutoff when its first expired entry went.
      const mine = this.byUser.get(user);
      if (mine === undefined) continue;
      if (typeof mine === 'number') {
        if (mine < cutoff) this.byUser.delete(user);
        continue;
      }
      while (mine.head < mine.times.length && mine.times[mine.head] < cutoff) mine.head++;
      if (mine.head === mine.times.length) this.byUser.delete(user);
      else if (timeToCompact(mine.head, mine.times.length)) {
        mine.times = mine.times.slice(mine.head);
        mine.head = 0;
      }
    }
    if (timeToCompact(this.head, this.times.length)) {
      if (this.lo < this.head) this.resetWindow();
      this.times = this.times.slice(this.head);
      this.users = this.users.slice(this.head);
      this.lo -= this.head;
      this.hi -= this.head;
      this.head = 0;
    }
  }

  private resetWindow(): void {
    this.lo = this.hi = this.head;
    this.at = Number.NEGATIVE_INFINITY;
    this.inWindow.clear();
  }
}

/** Inserts `time` after every entry not later than it (in place: logs are mostly in order); returns where. */
function insertSorted(times: number[], head: number, time: number): number {
  const i = placeFor(times, head, time);
  if (i === times.length) times.push(time);
  else times.splice(i, 0, time);
  return i;
}

/** Entries from `head` with `from <= t <= to`. */
function between(times: number[], head: number, from: number, to: number): number {
  return firstAbove(times, head, to, false) - firstAbove(times, head, from, true);
}

/** The first index from `head` whose time is above `bound` (or at it, when `inclusive`). */
function firstAbove(times: number[], head: number, bound: number, inclusive: boolean): number {
  let lo = head;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < bound || (!inclusive && times[mid] === bound)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Brokers are swept no sooner than this many: a real log names a handful.
const MIN_BROKERS_SWEPT = 1_024;

/**
 * The recent creations of each broker, letting go of the brokers with nothing recent once the map has
 * grown as a rule's subject map does before a sweep: a log naming 300,000 brokers held one RecentCreations each (0.3 GB).
 */
export class RecentCreationsByBroker {
  private readonly brokers = new Map<string, RecentCreations>();
  private sweepAt = MIN_BROKERS_SWEPT;

  constructor(private readonly keepMs: number) {}

  add(broker: string, time: number, user: string | undefined): void {
    let recent = this.brokers.get(broker);
    if (!recent) {
      if (this.brokers.size >= this.sweepAt) this.sweep(time);
      this.brokers.set(broker, (recent = new RecentCreations(this.keepMs)));
    }
    recent.add(time, user);
  }

  get(broker: string): RecentCreations | undefined {
    return this.brokers.get(broker);
  }

  /** A broker whose newest creation is older than `keepMs` counts nothing near `now` or later. */
  private sweep(now: number): void {
    for (const [broker, recent] of this.brokers) if (recent.newest < now - this.keepMs) this.brokers.delete(broker);
    this.sweepAt = Math.max(MIN_BROKERS_SWEPT, Math.ceil(this.brokers.size * SWEEP_GROWTH));
  }
}
