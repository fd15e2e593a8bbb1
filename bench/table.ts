/** A benchmark's result: one table, plus notes (what was measured, targets met or missed). */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  notes?: string[];
  /** Raw figures behind the table (every run), carried into the `--json` document. */
  data?: unknown;
}

/** A benchmark module as the runner sees it. */
export interface Benchmark {
  name: string;
  description: string;
  /** Runs only when named with `--only`: it takes most of an hour. */
  onlyWhenNamed?: true;
  run(args: string[]): Promise<BenchTable>;
}

/** Renders a table in plain text columns. */
export function renderTable(t: BenchTable): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(String))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [t.title, line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map((r) => line(r.map(String)))];
  for (const n of t.notes ?? []) out.push(`  ${n}`);
  return `${out.join('\n')}\n`;
}
