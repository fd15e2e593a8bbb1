import type { LogEvent } from '../classify/log-event.ts';
import type { Rule } from '../rules/index.ts';
import { configuredRules, configuredSeverity, type RuleSettings } from '../rules/configured-rules.ts';
import type { RuleFinding, Thresholds } from '../types.ts';

/** One set of rules that has seen every event arriving since `started` (wall-clock ms). */
interface Generation {
  started: number;
  rules: Rule[];
  endTime: number;
}

/**
 * The built-in rules, as the config file sets them, judged over a sliding window of arrival time, for
 * `verify --follow --metrics`: a storm that ended clears once the window has passed, and an old log
 * replayed into the followed file still raises the alarm, because the window counts when lines were
 * read, not their timestamps.
 *
 * A new set of rules starts every `windowMs / slices`; each sees every event from its start. The
 * oldest set still needed covers at least the window and at most one slice more, so a finding clears
 * between `windowMs` and `windowMs * (1 + 1 / slices)` after its last line arrived. The rules stay
 * the gate's own, unchanged, at the cost of `slices + 1` sets observing the (few) events.
 */
export class AlarmWindow {
  private generations: Generation[] = [];
  private readonly step: number;
  /** When the last event arrived (wall-clock ms). */
  private lastArrival: number | undefined;

  constructor(
    private readonly thresholds: Thresholds,
    /** The config file's per-rule settings, which the gate judges with too. */
    private readonly settings: RuleSettings,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    slices = 4,
  ) {
    this.step = Math.max(1, Math.floor(windowMs / slices));
  }

  observe(ev: LogEvent): void {
    this.rotate();
    this.lastArrival = this.now();
    for (const g of this.generations) {
      for (const rule of g.rules) rule.observe(ev);
      if (ev.time > g.endTime) g.endTime = ev.time;
    }
  }

  /**
   * The findings over the last window of arrival time. The quiet since the last event counts as log time
   * going by, as it does in a live log: attempts no `Connected` answered are judged once the log has
   * been quiet for answer-time, instead of waiting for a later line.
   */
  findings(): RuleFinding[] {
    this.rotate();
    const oldest = this.generations[0];
    const now = this.now();
    const endTime = oldest.endTime + Math.max(0, now - (this.lastArrival ?? now));
    return oldest.rules.flatMap((r) => r.finish(endTime)).map((f) => ({ ...f, severity: configuredSeverity(f, this.settings) }));
  }

  private rotate(): void {
    const t = this.now();
    const newest = this.generations.at(-1);
    // Sets start on schedule even when nothing called in between: no event arrived meanwhile, so one
    // started late would hold exactly what one started on time holds. Those the window already passed are skipped.
    let next = newest ? newest.started + this.step : t;
    if (t - next > this.windowMs) next += Math.floor((t - next - this.windowMs) / this.step) * this.step;
    for (; next <= t; next += this.step) this.generations.push({ started: next, rules: configuredRules(this.thresholds, this.settings), endTime: Number.NEGATIVE_INFINITY });
    // A set is no longer needed once a younger one alone covers the whole window.
    while (this.generations.length > 1 && t - this.generations[1].started >= this.windowMs) this.generations.shift();
  }
}
