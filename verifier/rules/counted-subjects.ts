import { subjectKey } from '../classify/log-event.ts';
import type { RuleFinding, Severity } from '../types.ts';
import { FindingBuilder } from './finding-builder.ts';
import { SubjectColumn } from './subject-column.ts';
import { MAX_DETAILED_SUBJECTS, summaryText } from './subject-map.ts';
import { SubjectTable } from './subject-table.ts';

/**
 * Lines (or cycles) per subject counted over the whole log, a finding from `threshold` on. The first
 * {@link MAX_DETAILED_SUBJECTS} subjects each get a builder of their own; later ones are only a count
 * in a column of the judgement's subject table (a byte each), and their lines from the threshold on
 * go to one summary builder: a million users cost their names once, not a builder and a map entry each.
 */
export class CountedSubjects {
  private readonly detailed = new Map<string, FindingBuilder>();
  /** Counts of the subjects past the detailed ones, held at the threshold: all a verdict needs of them. */
  private readonly counts: SubjectColumn;
  private readonly others: FindingBuilder;
  private otherSubjects = 0;

  constructor(
    private readonly rule: string,
    private readonly severity: Severity,
    private readonly threshold: number,
    private readonly table: SubjectTable = new SubjectTable(),
  ) {
    this.others = new FindingBuilder(rule, severity);
    this.counts = new SubjectColumn(0, threshold <= 255 ? 'uint8' : 'int32');
  }

  /**
   * Counts one more for the subject and returns the builder its lines go to: its own, or the summary's
   * once a summarised subject reaches the threshold; undefined while a summarised one is below it.
   */
  count(broker: string | undefined, user: string | undefined): FindingBuilder | undefined {
    const key = subjectKey({ broker, user });
    let builder = this.detailed.get(key);
    if (builder) return builder;
    if (this.detailed.size < MAX_DETAILED_SUBJECTS) {
      builder = new FindingBuilder(this.rule, this.severity, user, broker);
      this.detailed.set(key, builder);
      return builder;
    }
    const id = this.table.idOf(broker, user);
    const n = this.counts.get(id) + 1;
    if (n <= this.threshold) this.counts.set(id, n);
    if (n < this.threshold) return undefined;
    if (n === this.threshold) {
      this.otherSubjects++;
      // Its lines below the threshold left no evidence, but they count.
      this.others.count += this.threshold - 1;
    }
    return this.others;
  }

  /** The detailed subjects at or over the threshold, each as `describe` words it, then the summary. */
  findings(describe: (builder: FindingBuilder) => RuleFinding): RuleFinding[] {
    const found = [...this.detailed.values()].filter((b) => b.count >= this.threshold).map(describe);
    return this.otherSubjects === 0 ? found : [...found, this.others.build(summaryText(this.rule, this.otherSubjects, this.others.count))];
  }
}
