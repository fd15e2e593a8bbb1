import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import type { PageModel } from '../../verifier/reporters/html/page-model.ts';
import { adapter429, connected, connecting, createAdapter2025, goodbye429, lastClient, oa, reconnectingIn, sdkRetry, stall } from '../support/log-shapes.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

/** The page model the HTML report inlines for its script: every figure the page draws or prints. */
function pageModel(html: string): PageModel {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no report-data in the page');
  return JSON.parse(m[1]) as PageModel;
}

/** A log with a bit of everything that is counted: creations, attempts of every kind, paired refusals, teardowns, over four minutes. */
function mixedLog(): string[] {
  const lines = [createAdapter2025(0), connecting(100, 1), connected(400)];
  for (let i = 0; i < 40; i++) lines.push(connecting(60_000 + i * 700, i + 1), adapter429(60_000 + i * 700 + 90), goodbye429(60_000 + i * 700 + 91));
  lines.push(sdkRetry(100_000, 1), sdkRetry(110_000, 2), reconnectingIn(120_000, 5, 1), stall(150_000, 93.1), lastClient(170_000, 'rajandran'));
  lines.push(createAdapter2025(200_000), connecting(200_100, 1), connected(200_500), oa(240_000, 'Heartbeat', 'INFO', 'server'));
  return lines;
}

describe('every figure of the verify HTML page equals the text and JSON reports (issue 21)', () => {
  it('summary, rule counts, finding counts and the per-minute counts of the charts', async () => {
    const log = await tmp.file('openalgo.log', `${mixedLog().join('\n')}\n`);
    const json = `${tmp.dir}/report.json`;
    const page = `${tmp.dir}/report.html`;
    const { stdout: text } = await stormcheck(['verify', log, '--reporter', 'text', '--reporter', `json=${json}`, '--reporter', `html=${page}`]);
    const report = JSON.parse(await readFile(json, 'utf8')) as VerifyReport;
    const model = pageModel(await readFile(page, 'utf8'));

    const errors = report.findings.filter((f) => f.severity === 'error').length;
    expect(errors).toBeGreaterThan(0);
    expect(model.summary.verdict).toBe(`FAIL: ${report.findings.length} finding(s), ${errors} error(s) (fails at error)`);
    expect(text).toContain(`stormcheck verify: ${report.findings.length} finding(s) — ${errors} error,`);
    expect(model.summary.facts[0]).toBe(`${report.linesRead} lines from 1 input(s): ${log}`);
    expect(text).toContain(`in ${report.linesRead} lines from 1 input(s) (${report.linesRecognised} records, ${report.linesUnrecognised} unrecognised`);
    expect(model.summary.facts[1]).toBe(`${report.linesRecognised} records, ${report.linesUnrecognised} unrecognised, ${report.linesTruncated} truncated, ${report.linesUndecodable} undecodable`);

    // Per rule: as many findings, and as many lines behind them, as the JSON and text reports list.
    for (const r of model.summary.ruleCounts) {
      const findings = report.findings.filter((f) => f.rule === r.rule);
      expect(r.findings).toBe(findings.length);
      expect(r.lines).toBe(findings.reduce((n, f) => n + f.count, 0));
      for (const f of findings) expect(text).toMatch(new RegExp(`${f.rule} .*count ${f.count} `));
    }
    expect(model.summary.ruleCounts.map((r) => r.rule).sort()).toEqual([...new Set(report.findings.map((f) => f.rule))].sort());
    const ranges = model.columns.flatMap((c) => c.charts.flatMap((ch) => ch.ranges));
    for (const f of report.findings) expect(ranges.map((r) => r.label)).toContainEqual(expect.stringMatching(new RegExp(`^${f.severity} ${f.rule}\\b.* ×${f.count}$`)));

    // The charts' attempts and 429s, summed per minute over every chart, are the timeline's.
    const perMinute = new Map<string, { attempts: number; refusals: number }>();
    for (const chart of model.columns.flatMap((c) => c.charts)) {
      expect(chart.bucketSeconds).toBeLessThanOrEqual(60);
      const series = (label: string) => chart.series.find((s) => s.label.startsWith(label))!.values;
      chart.x.forEach((x, i) => {
        const minute = new Date(x * 1000).toISOString().slice(0, 16);
        const row = perMinute.get(minute) ?? { attempts: 0, refusals: 0 };
        row.attempts += series('upstream attempts')[i] ?? 0;
        row.refusals += series('429 refusals')[i] ?? 0;
        perMinute.set(minute, row);
      });
    }
    const charted = [...perMinute].filter(([, r]) => r.attempts + r.refusals > 0).map(([minute, r]) => ({ minute, ...r }));
    expect(charted).toEqual(report.timeline.filter((m) => m.attempts + m.refusals > 0).map(({ minute, attempts, refusals }) => ({ minute, attempts, refusals })));
    for (const m of report.timeline) {
      expect(text).toMatch(new RegExp(`^${m.minute}\\s+${m.creations}\\s+${m.attempts}\\s+${m.refusals}\\s+${m.teardowns}$`, 'm'));
    }
    expect(report.timeline.reduce((n, m) => n + m.refusals, 0)).toBe(40);
  });

  it('a page over logs three months apart keeps each storm in 1 s buckets, cut between them, and its table names both months', async () => {
    const storm = (from: number) => [createAdapter2025(from), ...Array.from({ length: 50 }, (_, i) => connecting(from + 100 + i * 10, 1))];
    const monthsLater = 90 * 86_400_000;
    const log = await tmp.file('openalgo.log', `${[...storm(0), ...storm(monthsLater)].join('\n')}\n`);
    const page = `${tmp.dir}/report.html`;
    const json = `${tmp.dir}/report.json`;
    await stormcheck(['verify', log, '--reporter', `json=${json}`, '--reporter', `html=${page}`]);
    const html = await readFile(page, 'utf8');
    const model = pageModel(html);
    const report = JSON.parse(await readFile(json, 'utf8')) as VerifyReport;
    const [chart] = model.columns[0].charts;
    expect(chart.bucketSeconds).toBe(1);
    expect(model.breaks).toHaveLength(1);
    expect(model.notes.join(' ')).toContain('1 idle stretch(es) longer than 5 min are cut short to about 1 min (the longest hid 90 days)');
    const attempts = chart.series.find((s) => s.label.startsWith('upstream attempts'))!.values as number[];
    expect(attempts.filter((v) => v === 50)).toHaveLength(2);
    // The table beside the chart counts by true minutes, as the text and JSON timeline does.
    for (const m of report.timeline) expect(html).toContain(`<tr><th scope="row">${m.minute.replace('T', ' ')}</th><td>${m.attempts}</td>`);
    // Each storm finding's bar sits over its own storm on the cut axis.
    const bars = chart.ranges.filter((r) => r.label.includes('connect-storm'));
    expect(bars).toHaveLength(1);
    expect(bars[0].from).toBeLessThan(chart.x[60]);
    expect(bars[0].to).toBeGreaterThanOrEqual(chart.x.at(-1)!);
  });
});
