import { countsByRule } from '../evidence/finding-summary.ts';
import { peakText } from './peak-text.ts';
import type { ModeResult, ReproduceReport } from './reproduce.ts';

type Row = [label: string, cell: (mode: ModeResult) => string];

const ROWS: Row[] = [
  ['client code', (m) => m.clientCode],
  ['slots held by another app', (m) => (m.slotHold ? String(m.slotHold.held) : '—')],
  ['peak upstream connections', peakText],
  ['connection attempts at broker', (m) => String(m.broker.connectionAttempts)],
  ['busiest second (attempts)', (m) => String(m.broker.peakAttemptsPerSecond)],
  ['429 Connection Limit Exceeded', (m) => String(m.broker.rejected429)],
  ['  after the slots were free', (m) => String(m.broker.rejected429AfterRelease)],
  ['adapters created', (m) => String(m.gateway.adaptersCreated)],
  ['torn down by last client leaving', (m) => String(m.gateway.teardowns)],
  ['zombie reconnects (opened)', (m) => `${m.gateway.zombieAttempts} (${m.gateway.zombieConnects})`],
  ['SDK retry chains exhausted', (m) => String(m.gateway.sdkGiveUps)],
  ['proxy freezes', (m) => String(m.gateway.freezes)],
  ['upstream connects logged', (m) => String(m.gateway.upstreamConnects)],
  ['broker drops caused', (m) => `${m.brokerDrops.filter((d) => d.done).length} of ${m.brokerDrops.length}`],
];

const CLIENT_ROWS: Row[] = [
  ['ticks delivered to clients', (m) => String(m.clients.ticksDelivered)],
  ['clients that ended without data', (m) => `${m.clients.withoutData.length} of ${m.clients.subscribing}`],
  ['clients that got BROKER_ERROR', (m) => String(m.clients.withBrokerError.length)],
  ['requests left unanswered', (m) => String(m.clients.unanswered)],
];

/** The side-by-side table `reproduce` prints: one column per registry mode, then the verdict. */
export function renderReproduceTable(report: ReproduceReport): string {
  const { options, modes } = report;
  const rules = [...new Set(modes.flatMap((m) => m.verifier.rules.map((r) => r.rule)))];
  const findingRows: Row[] = [
    ['verifier error findings', (m) => String(m.verifier.errors)],
    ...rules.map((rule): Row => [
      `  ${rule}`,
      (m) => {
        const found = countsByRule(m.verifier).get(rule);
        return found ? `${found.lines} (${found.severity})` : '—';
      },
    ]),
    ['storm kind', (m) => m.verifier.stormKinds.join(' + ') || '—'],
  ];
  const rows = [...ROWS, ...findingRows, ...CLIENT_ROWS];
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  const cells = rows.map(([, cell]) => modes.map(cell));
  const widths = modes.map((m, i) => Math.max(m.mode.length, ...cells.map((row) => row[i].length)) + 2);
  const line = (label: string, values: string[]) =>
    (label.padEnd(labelWidth) + values.map((v, i) => v.padEnd(widths[i])).join('')).trimEnd();

  const out = [
    `stormcheck reproduce — scenario ${options.scenario}, ${options.clients} clients, ${options.durationMs / 1000} s per registry, seed ${options.seed}, broker limit ${options.limit}`,
    `legacy delays × ${options.timeScale} (--time-scale): OpenAlgo's 10 s SDK retry sleep takes ${(10 * options.timeScale).toFixed(2)} s here`,
    '',
    line('', modes.map((m) => m.mode)),
    ...rows.map(([label], r) => line(label, cells[r])),
    '',
  ];
  for (const m of modes) for (const hit of m.gateway.safetyCap) out.push(`${m.mode}: ${hit}`);
  if (modes.some((m) => m.gateway.safetyCap.length > 0)) out.push('');
  for (const e of report.expectations) out.push(`${e.met ? 'ok  ' : 'FAIL'} ${e.name}: ${e.detail}`);
  const failed = report.expectations.filter((e) => !e.met).map((e) => e.name);
  if (report.interrupted) {
    out.push('', `INTERRUPTED by ${report.interrupted} after ${modes.length} of ${options.modes.length} registries: the columns above are the ones that finished.`);
  } else {
    out.push('', report.pass ? `PASS: ${report.expectations.map((e) => e.name).join('; ')}.` : `FAIL: ${failed.join('; ')}.`);
  }
  const kept = modes.flatMap((m) => (m.logFile === undefined ? [] : [m.logFile]));
  out.push(kept.length > 0 ? `gateway logs: ${kept.join(', ')}` : 'gateway logs: removed with their temporary folder (keep them with --log-dir DIR)');
  return out.join('\n') + '\n';
}
