import type { LogEvent } from '../../classify/log-event.ts';
import { EventSeriesBuilder } from '../../timeseries/event-series.ts';
import type { Severity, VerifyReport } from '../../types.ts';
import { readEvidenceLines } from './evidence-lines.ts';
import { verifyPage } from './verify-page.ts';
import { writePage } from './write-page.ts';

export type { PageModel } from './page-model.ts';
export { renderPage } from './render-page.ts';
export { writePage } from './write-page.ts';

/**
 * The HTML reporter of `verify`: it watches the run's events (pass {@link onEvent} as the verify
 * option) and, once the report is in, writes the page with the evidence lines read back from the logs.
 */
export class HtmlVerifyReporter {
  private readonly series = new EventSeriesBuilder();
  readonly onEvent = (ev: LogEvent): void => this.series.observe(ev);

  /** Writes the page to `path`; throws UsageError when it cannot. */
  async write(path: string, report: VerifyReport, failOn: Severity, option = '--reporter html='): Promise<void> {
    const evidence = await readEvidenceLines(report.findings.flatMap((f) => f.evidence));
    await writePage(path, verifyPage({ report, series: this.series.build(), failOn, evidence }), option);
  }
}
