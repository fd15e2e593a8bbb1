import type { LogEvent } from '../../classify/log-event.ts';
import { EventSeriesBuilder, type EventSeries } from '../../timeseries/event-series.ts';
import type { Severity, VerifyReport } from '../../types.ts';
import { readEvidenceLines } from './evidence-lines.ts';
import type { EvidenceLine } from './page-model.ts';
import { renderPage } from './render-page.ts';
import { verifyPage } from './verify-page.ts';

/** What the HTML page needs beyond the report: the run's event series and its evidence lines' text. */
export interface HtmlContext {
  series: EventSeries;
  evidence: Map<string, EvidenceLine>;
}

/**
 * Collects what verify's HTML reporter draws: pass {@link onEvent} as the verify option, then
 * {@link context} once the report is in (it reads the evidence lines back from the logs).
 */
export class HtmlContextBuilder {
  private readonly series = new EventSeriesBuilder();
  readonly onEvent = (ev: LogEvent): void => this.series.observe(ev);

  async context(report: VerifyReport): Promise<HtmlContext> {
    return { series: this.series.build(), evidence: await readEvidenceLines(report.findings.flatMap((f) => f.evidence)) };
  }
}

const NO_EVENTS: EventSeries = { axis: 'clock', starts: [], x: [], breaks: [], bucketMs: 1000, subjects: [] };

/**
 * verify's `html` reporter: the page of charts, or, without a context (in-process use), the summary and
 * findings alone. The page is one chunk: its bulk is the chart data, one compact JSON literal in one
 * `<script>` element (a second JSON writer, unindented and with `<` escaped, for no saving: the page
 * model it is made from is whole in memory anyway, and its series are at most 2,000 buckets each).
 */
export function* renderHtml(report: VerifyReport, opts: { failOn: Severity; html?: HtmlContext }): Generator<string, void, undefined> {
  yield renderPage(verifyPage({ report, failOn: opts.failOn, series: opts.html?.series ?? NO_EVENTS, evidence: opts.html?.evidence ?? new Map() }));
}
