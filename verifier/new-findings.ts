import type { Finding } from './types.ts';

/**
 * Tells which findings of a snapshot were not in any earlier one: a rule newly firing for a subject,
 * or a finding that became more severe. Counts growing on a finding already told are not news.
 */
export class NewFindings {
  private readonly told = new Set<string>();

  constructor(private readonly tell: (finding: Finding) => void) {}

  check(snapshot: readonly Finding[]): void {
    for (const f of snapshot) {
      const key = [f.input, f.rule, f.severity, f.user ?? '', f.broker ?? '', f.stormKind ?? ''].join('\0');
      if (this.told.has(key)) continue;
      this.told.add(key);
      this.tell(f);
    }
  }
}
