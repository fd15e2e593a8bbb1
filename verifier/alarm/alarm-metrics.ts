import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { packageVersion } from '../../contract/package-version.ts';
import { SEVERITIES, type RuleFinding, type Severity } from '../types.ts';
import type { AlarmWindow } from './alarm-window.ts';

/**
 * Label sets of `stormcheck_findings` kept one by one; past these, findings are summed under
 * `user="(other)"`, so a log naming a million users cannot grow the scrape without bound.
 */
export const MAX_FINDING_SERIES = 1_000;
const OTHER = '(other)';

/**
 * The alarm's Prometheus metrics, on their own Registry. `stormcheck_findings` and
 * `stormcheck_verdict` are computed from the {@link AlarmWindow} at each scrape; a series once seen stays,
 * at 0 when its finding has left the window, so an alert resolves instead of going stale.
 */
export class AlarmMetrics {
  readonly registry = new Registry();
  private readonly seen = new Set<string>();
  private readonly linesRead: Counter;
  private readonly bytesRead: Counter;
  private readonly rotations: Counter;
  private readonly lastLine: Gauge;
  private lastLineAt: number | undefined;

  constructor(
    private readonly window: AlarmWindow,
    private readonly failOn: Severity,
    private readonly now: () => number = Date.now,
  ) {
    const registers = [this.registry];
    const findings: Gauge = new Gauge({
      name: 'stormcheck_findings',
      help: 'Lines behind each finding of the rules over the last --window-for-alarm of arrival time (0: cleared)',
      labelNames: ['rule', 'severity', 'user', 'broker'],
      registers,
      collect: (): void => this.collectFindings(findings),
    });
    const verdict: Gauge = new Gauge({
      name: 'stormcheck_verdict',
      help: '1 when findings at or above --fail-on are in the window (the gate would fail), else 0',
      registers,
      collect: (): void => verdict.set(this.window.findings().some((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(this.failOn)) ? 1 : 0),
    });
    this.linesRead = new Counter({ name: 'stormcheck_lines_read_total', help: 'Lines read from the followed log', registers });
    this.bytesRead = new Counter({ name: 'stormcheck_bytes_read_total', help: 'Bytes read from the followed log', registers });
    this.rotations = new Counter({ name: 'stormcheck_rotations_total', help: 'Rotations of the followed log (replaced or truncated)', labelNames: ['kind'], registers });
    for (const kind of ['replaced', 'truncated']) this.rotations.inc({ kind }, 0);
    this.lastLine = new Gauge({
      name: 'stormcheck_last_line_timestamp_seconds',
      help: 'Unix time at which the last line was read (alert on staleness: time() minus this)',
      registers,
      collect: () => {
        if (this.lastLineAt !== undefined) this.lastLine.set(this.lastLineAt / 1000);
      },
    });
    new Gauge({ name: 'stormcheck_build_info', help: 'stormcheck version and Node.js version', labelNames: ['version', 'node'], registers }).set(
      { version: packageVersion(), node: process.version },
      1,
    );
    collectDefaultMetrics({ register: this.registry });
  }

  /** A chunk of the followed log was read. */
  read(chunk: Buffer): void {
    this.bytesRead.inc(chunk.length);
    let lines = 0;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    if (lines > 0) {
      this.linesRead.inc(lines);
      this.lastLineAt = this.now();
    }
  }

  rotated(kind: 'replaced' | 'truncated'): void {
    this.rotations.inc({ kind });
  }

  private collectFindings(gauge: Gauge): void {
    const now = new Map<string, { labels: Record<string, string>; value: number }>();
    for (const f of this.window.findings()) {
      const labels = this.labelsOf(f);
      const key = JSON.stringify(labels);
      const held = now.get(key);
      if (held) held.value += f.count;
      else now.set(key, { labels, value: f.count });
    }
    for (const key of this.seen) if (!now.has(key)) gauge.set(JSON.parse(key) as Record<string, string>, 0);
    for (const [key, { labels, value }] of now) {
      this.seen.add(key);
      gauge.set(labels, value);
    }
  }

  private labelsOf(f: RuleFinding): Record<string, string> {
    const labels = { rule: f.rule, severity: f.severity, user: f.user ?? '', broker: f.broker ?? '' };
    const key = JSON.stringify(labels);
    return this.seen.has(key) || this.seen.size < MAX_FINDING_SERIES ? labels : { ...labels, user: OTHER };
  }
}
