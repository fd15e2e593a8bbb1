import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml } from './escape-html.ts';
import { minuteTable } from './minute-table.ts';
import type { PageChart, PageModel } from './page-model.ts';

const require = createRequire(import.meta.url);

/** Read once per process: the chart library and the page's own script and style, inlined into every report. */
let assets: { uplotJs: string; uplotCss: string; pageJs: string; pageCss: string } | undefined;
function loadAssets(): NonNullable<typeof assets> {
  assets ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    pageJs: readFileSync(new URL('./page-script.js', import.meta.url), 'utf8'),
    pageCss: readFileSync(new URL('./page-style.css', import.meta.url), 'utf8'),
  };
  return assets;
}

// The page needs nothing from the network; the policy makes that a property of the file, not a hope.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** One self-contained HTML file: summary band, charts drawn by uPlot from inlined data, text tables. */
export function renderPage(model: PageModel): string {
  const { uplotJs, uplotCss, pageJs, pageCss } = loadAssets();
  let chartIndex = 0;
  const columns = model.columns
    .map((column) => {
      const charts = column.charts.map((chart) => renderChart(chart, chartIndex++, model)).join('\n');
      const heading = column.heading === undefined ? '' : `<h2>${escapeHtml(column.heading)}</h2>`;
      return `<section class="column">${heading}${charts || '<p class="empty">Nothing to chart.</p>'}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${uplotCss}</style>
<style>${pageCss}</style>
</head>
<body>
${renderSummary(model)}
${model.notes.length > 0 ? `<ul class="notes">${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<main class="columns columns-${model.columns.length}">
${columns}
</main>
<aside id="evidence" class="evidence" hidden aria-live="polite"></aside>
<script type="application/json" id="report-data">${jsonForScript(model)}</script>
<script>${uplotJs}</script>
<script>${pageJs}</script>
</body>
</html>
`;
}

function renderSummary(model: PageModel): string {
  const s = model.summary;
  const rules = s.ruleCounts.length === 0
    ? '<p>No findings.</p>'
    : `<table class="rules"><thead><tr><th scope="col">rule</th><th scope="col">severity</th><th scope="col">findings</th><th scope="col">lines</th></tr></thead><tbody>${s.ruleCounts
        .map(
          (r) =>
            `<tr class="sev-${escapeHtml(r.severity)}"><td>${escapeHtml(r.rule)}</td><td>${escapeHtml(r.severity)}</td><td>${r.findings}</td><td>${r.lines}</td></tr>`,
        )
        .join('')}</tbody></table>`;
  const kinds = s.stormKinds.length === 0 ? 'none' : s.stormKinds.map(escapeHtml).join(', ');
  return `<header class="summary">
<h1>${escapeHtml(model.title)}</h1>
<p class="verdict verdict-${s.tone}">${escapeHtml(s.verdict)}</p>
<ul class="facts">${s.facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}<li>storm kind: ${kinds}</li></ul>
${rules}
</header>`;
}

function renderChart(chart: PageChart, index: number, model: PageModel): string {
  const ranges = chart.ranges
    .map(
      (r, i) =>
        `<li><button type="button" class="range tone-${r.tone}" data-chart="${index}" data-range="${i}">${escapeHtml(r.label)}</button></li>`,
    )
    .join('');
  return `<figure class="chart" id="chart-${index}">
<figcaption>${escapeHtml(chart.title)}</figcaption>
<div class="plot" data-chart="${index}" role="img" aria-label="${escapeHtml(`${chart.title}: ${chart.series.map((s) => s.label).join(', ')}; the table below has the same numbers`)}"></div>
${ranges ? `<ul class="ranges">${ranges}</ul>` : ''}
${minuteTable(chart, model.axis, model.breaks)}
</figure>`;
}

/** JSON that cannot close its `<script>` element early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
