import { escapeHtml } from './escape-html.ts';
import type { PageAxis, PageBreak, PageChart } from './page-model.ts';

/**
 * The chart's text alternative: per minute (or per bucket when buckets are wider), the summed counts of
 * its rate series and the highest value of its levels; collapsed under a `<details>` so it costs no room.
 */
export function minuteTable(chart: PageChart, axis: PageAxis, breaks: readonly PageBreak[] = []): string {
  const rowSeconds = axis === 'order' ? chart.bucketSeconds : Math.max(60, chart.bucketSeconds);
  const rows = new Map<number, (number | null)[]>();
  chart.x.forEach((x, i) => {
    const key = Math.floor(trueX(x, breaks) / rowSeconds) * rowSeconds;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = chart.series.map(() => null)));
    chart.series.forEach((s, j) => {
      const v = s.values[i];
      if (v === null) return;
      row![j] = s.kind === 'rate' ? (row![j] ?? 0) + v : Math.max(row![j] ?? v, v);
    });
  });
  const unit = axis === 'order' ? 'events' : rowSeconds === 60 ? 'minute' : `${rowSeconds / 60} minutes`;
  const head = [rowHeading(axis), ...chart.series.map((s) => (s.kind === 'rate' ? s.label.replace(/\/s\b/, '') : `${s.label} (max)`))];
  const body = [...rows]
    .filter(([, row]) => row.some((v) => v !== null && v !== 0))
    .map(([key, row]) => `<tr><th scope="row">${escapeHtml(rowLabel(key, axis))}</th>${row.map((v) => `<td>${v ?? ''}</td>`).join('')}</tr>`)
    .join('');
  return `<details class="table"><summary>Table (per ${unit})</summary><table><thead><tr>${head
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${body}</tbody></table></details>`;
}

/** A point's true position: its x plus what the breaks before it hid. */
function trueX(x: number, breaks: readonly PageBreak[]): number {
  let t = x;
  for (const b of breaks) if (b.x <= x) t += b.hiddenSeconds;
  return t;
}

function rowHeading(axis: PageAxis): string {
  return axis === 'clock' ? 'minute (UTC)' : axis === 'elapsed' ? 'seconds since start' : 'from event';
}

function rowLabel(x: number, axis: PageAxis): string {
  if (axis === 'clock') return new Date(x * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return String(x);
}
