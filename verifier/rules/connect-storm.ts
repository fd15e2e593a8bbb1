import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding, StormKind } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { LiveAdapters } from './live-adapters.ts';
import { RecentCreationsByBroker } from './recent-creations.ts';
import { SubjectMap } from './subject-map.ts';
import { TimeWindow } from './time-window.ts';

// A creation or a pool connection accounts for one fresh attempt that follows it this closely.
const EXPECTED_SPAN_MS = 10_000;

interface Subject {
  attempts: TimeWindow<LogEvent>;
  builder: FindingBuilder;
  /** Log time of its latest attempt: a subject quiet for a while and never storming is forgotten. */
  last: number;
  peak: number;
  creationsNear: number;
  peakAlive: number;
  tornDown: boolean;
}

/**
 * `storm` or more fresh upstream connection attempts (`attempt 1`, and every SDK retry) within
 * `stormSpanMs` beyond those that creations and pool connections explain (one per user created, one per
 * pool connection), so many users starting together are not a storm. The finding says which kind of
 * storm its lines show: many adapters (about one attempt per creation, alive at once), churn (the same,
 * with teardowns between them) or one adapter in a runaway retry loop (many attempts per creation).
 */
export class ConnectStormRule implements Rule {
  readonly name = 'connect-storm';
  private readonly subjects = new SubjectMap<Subject>({
    // Quiet for longer than a creation explains an attempt: nothing later can count it in.
    isQuiet: (s, now) => now - s.last > Math.max(this.t.windowMs, EXPECTED_SPAN_MS),
    fired: (s) => s.peak > 0,
    findingOf: (s) => this.findingOf(s),
  });
  private readonly creations: RecentCreationsByBroker;
  private readonly pool = new RecentCreationsByBroker(EXPECTED_SPAN_MS);

  /** `live`: the judgement's count of live adapters, shared with the other rules that consult it. */
  constructor(
    private readonly t: Thresholds,
    private readonly live: LiveAdapters = new LiveAdapters(),
  ) {
    this.creations = new RecentCreationsByBroker(Math.max(t.windowMs, EXPECTED_SPAN_MS));
  }

  observe(ev: LogEvent): void {
    this.live.observe(ev);
    const broker = ev.broker ?? '?';
    if (ev.kind === 'create') this.creations.add(broker, ev.time, ev.user);
    else if (ev.kind === 'pool-connection') this.pool.add(broker, ev.time, ev.user);
    // Each SDK retry is a handshake of its own; five in a second take five live SDK instances.
    if (!(ev.kind === 'attempt' && ev.attempt === 1) && ev.kind !== 'sdk-retry') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { attempts: new TimeWindow(this.t.stormSpanMs), builder: new FindingBuilder(this.name, 'error', ev.user, ev.broker), last: ev.time, peak: 0, creationsNear: 0, peakAlive: 0, tornDown: false };
      this.subjects.set(key, s, ev.time);
    }
    s.last = Math.max(s.last, ev.time);
    const n = s.attempts.add(ev.time, ev);
    // One fresh attempt is expected per user created, and one per pool connection.
    const expected =
      (this.creations.get(broker)?.distinctUsers(ev.time, EXPECTED_SPAN_MS, ev.user) ?? 0) + (this.pool.get(broker)?.count(ev.time, EXPECTED_SPAN_MS, ev.user) ?? 0);
    if (n - expected < this.t.storm) return;
    s.peak = Math.max(s.peak, n);
    const creationsInWindow = this.creations.get(broker)?.count(ev.time, this.t.windowMs, ev.user) ?? 0;
    s.creationsNear = Math.max(s.creationsNear, creationsInWindow);
    s.peakAlive = Math.max(s.peakAlive, this.live.alive(ev));
    if (this.live.tornDownWithin(ev, this.t.windowMs)) s.tornDown = true;
    s.builder.addBurst(s.attempts);
  }

  finish(): RuleFinding[] {
    return this.subjects.findings(this.name);
  }

  private findingOf(s: Subject): RuleFinding {
    const kind = stormKind(s.builder.count, s.creationsNear, s.peakAlive, s.tornDown);
    const why =
      kind === 'many-adapters'
        ? `; many adapters: ${s.creationsNear} adapter creations, about one attempt each, up to ${s.peakAlive} alive at once`
        : kind === 'churn'
          ? `; churn: ${s.creationsNear} adapter creations, with teardowns between them`
          : kind === 'runaway-retry'
            ? `; one adapter in a runaway retry loop: ${s.creationsNear} adapter creation(s) in the ${durationText(this.t.windowMs)} before, ${s.builder.count} fresh attempts in all`
            : `; ${s.creationsNear} adapter creations, the log shows neither teardowns nor adapters alive at once`;
    return s.builder.build(
      `Connection storm for ${subjectText(s.builder.user, s.builder.broker)}: up to ${s.peak} fresh upstream ` +
        `connection attempts within ${durationText(this.t.stormSpanMs)} (threshold ${this.t.storm}), ${s.builder.count} in storms${why}`,
      kind,
    );
  }
}

/**
 * Many creations with about one attempt each is many adapters when the log shows two alive at once, or
 * churn when it shows teardowns between them; otherwise the attempts outran the creations. A kind the
 * lines do not show is not named.
 */
function stormKind(attempts: number, creations: number, peakAlive: number, tornDown: boolean): StormKind | undefined {
  if (creations < 2 || attempts > creations * 2) return 'runaway-retry';
  if (peakAlive >= 2) return 'many-adapters';
  return tornDown ? 'churn' : undefined;
}
