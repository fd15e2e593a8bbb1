import type { LineRef } from '../classify/log-event.ts';
import type { LogRecord } from '../parse/log-record.ts';
import type { RuleFinding, UserRule } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder } from './finding-builder.ts';
import { TimeWindow } from './time-window.ts';

/** A rule from `--rules FILE`: `threshold` or more records matching `pattern` within its window. */
export class PatternRule {
  private readonly window: TimeWindow<{ time: number; zoned: boolean; ref: LineRef }>;
  private readonly builder: FindingBuilder;
  private peak = 0;

  constructor(private readonly rule: UserRule) {
    this.window = new TimeWindow(rule.windowMs);
    this.builder = new FindingBuilder(rule.name, rule.severity);
  }

  observeRecord(record: LogRecord, ref: LineRef): void {
    if (!this.rule.pattern.test(record.message)) return;
    const n = this.window.add(record.time, { time: record.time, zoned: record.zoned, ref });
    if (n < this.rule.threshold) return;
    this.peak = Math.max(this.peak, n);
    this.builder.addBurst(this.window);
  }

  finish(): RuleFinding[] {
    if (this.peak === 0) return [];
    return [
      this.builder.build(
        `${this.builder.count} lines matching /${this.rule.pattern.source}/ (up to ${this.peak} within ` +
          `${durationText(this.rule.windowMs)}, threshold ${this.rule.threshold})`,
      ),
    ];
  }
}
