import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { createReadStream } from 'node:fs';
import { verifySource } from '../../verifier/index.ts';
import { evidenceRef, readEvidenceLines } from '../../verifier/reporters/html/evidence-lines.ts';
import type { PageChart, PageModel, PageRange, PageSummary } from '../../verifier/reporters/html/page-model.ts';
import { BucketStore, type Combine } from '../../verifier/timeseries/bucket-store.ts';
import { adaptersAliveAfter } from '../../verifier/timeseries/event-series.ts';
import type { Finding } from '../../verifier/types.ts';
import { gatewayClientChanges } from './gateway-client-times.ts';
import type { RunRecord } from './run-record.ts';

/** What a scenario chart draws: the broker's record first (ground truth), then what the gateway's log says. */
const RUN_SERIES = {
  handshakes: { label: 'handshakes/s at the broker', combine: 'sum' },
  refused: { label: '429s/s at the broker', combine: 'sum' },
  open: { label: "upstream connections open (broker, the deployment's own)", combine: 'level' },
  held: { label: 'slots held by another app (broker)', combine: 'level' },
  adapters: { label: 'adapters alive (gateway log)', combine: 'level' },
  clients: { label: 'clients connected (gateway log)', combine: 'level' },
} as const satisfies Record<string, { label: string; combine: Combine }>;

type RunField = keyof typeof RUN_SERIES;
const COMBINE = Object.fromEntries(Object.entries(RUN_SERIES).map(([k, v]) => [k, v.combine])) as Record<RunField, Combine>;

/**
 * The page of `reproduce` or `probe`: one column per run, each one chart on a shared axis of seconds
 * since its run began, with the plan's phases shaded and the verifier's findings on the gateway log marked.
 */
export async function runPage(title: string, summary: PageSummary, records: RunRecord[]): Promise<PageModel> {
  // A scenario run lasts seconds and its clocks are the machine's own: 100 ms resolves a burst.
  const store = new BucketStore<RunField>(COMBINE, 100);
  const ranges = new Map<string, PageRange[]>();
  for (const record of records) {
    // Every run draws from 0 s, so an empty run still spans its own length on the shared axis.
    store.add(record.name, 0, 'handshakes', 0);
    store.add(record.name, record.to - record.from, 'handshakes', 0);
    addBrokerEvents(store, record);
    const findings = record.log ? await addLogEvents(store, record, record.log) : [];
    const evidence = await readEvidenceLines(
      findings.flatMap((f) => f.evidence),
      new Map(record.log ? [[record.log.file, record.log.fromByte]] : []),
    );
    ranges.set(record.name, [
      ...record.phases.map((p): PageRange => ({
        from: p.fromMs / 1000,
        to: p.toMs / 1000,
        tone: 'phase',
        label: `${p.kind} ${(p.fromMs / 1000).toFixed(1)}–${(p.toMs / 1000).toFixed(1)} s`,
        detail: PHASE_TEXT[p.kind],
        evidence: [],
      })),
      ...findings.map((f): PageRange => ({
        from: (Date.parse(f.first) - record.from) / 1000,
        to: (Date.parse(f.last) - record.from) / 1000,
        tone: f.severity,
        label: `${f.severity} ${f.rule} ×${f.count}`,
        detail:
          `${f.message} (${f.first} .. ${f.last}${f.stormKind ? `, ${f.stormKind}` : ''})` +
          (record.log && record.log.fromByte > 0 ? ` Line numbers count from where the log ended when the run began (byte ${record.log.fromByte}).` : ''),
        evidence: f.evidence.map((e) => evidence.get(evidenceRef(e)) ?? { ref: evidenceRef(e), text: null }),
      })),
    ]);
  }
  // A run with no other application holding slots (a probe) has no held line to draw.
  const drawn = (Object.keys(RUN_SERIES) as RunField[]).filter((f) => f !== 'held' || records.some((r) => (r.heldIds?.length ?? 0) > 0));
  const x = store.starts().map((ms) => ms / 1000);
  const bucketSeconds = store.widthMs / 1000;
  return {
    title,
    summary,
    axis: 'elapsed',
    notes: [
      `Seconds since each run began; each point is a ${bucketSeconds} s bucket. Rates are per second on the left axis; ` +
        'connections, adapters and clients are step lines on the right axis.',
      'Grey ranges are the traffic plan\'s phases (burst, another app holding the slots, churn, broker drop); the red, amber and blue bars along the top are the verifier\'s findings on the gateway log — click one, or its button, for its evidence.',
    ],
    columns: records.map((record) => ({
      heading: record.name,
      charts: [
        {
          title: `${record.name}: broker record and gateway log`,
          x,
          bucketSeconds,
          series: drawn.map((f) => ({
            label: RUN_SERIES[f].label,
            kind: RUN_SERIES[f].combine === 'level' ? 'level' : 'rate',
            values: store.values(record.name, f),
          })),
          ranges: ranges.get(record.name) ?? [],
        } satisfies PageChart,
      ],
    })),
  };
}

const PHASE_TEXT = {
  burst: 'Start-up burst: every client connects and subscribes at once.',
  hold: 'Another application of the same client code holds every broker slot; its connections are "slots held by another app", not the deployment\'s own.',
  churn: 'Churn wave: clients leave (some abruptly) and come back.',
  drop: 'Broker drop: the broker closes every upstream connection; clients and the gateway reconnect.',
} as const;

/**
 * The broker's record: handshakes, 429s, and the connections open for the client code, less those another
 * application held, which are drawn as a line of their own (the table's `peak 1 (+2 held by another app)`).
 */
function addBrokerEvents(store: BucketStore<RunField>, record: RunRecord): void {
  const heldIds = new Set(record.heldIds ?? []);
  const heldOpen = new Set<number>();
  for (const e of record.brokerEvents) {
    const at = e.time - record.from;
    if (e.type === 'rejected') {
      store.add(record.name, at, 'handshakes');
      if (e.status === 429) store.add(record.name, at, 'refused');
      continue;
    }
    if (e.type === 'accepted') store.add(record.name, at, 'handshakes');
    if (heldIds.has(e.connectionId)) {
      if (e.type === 'accepted') heldOpen.add(e.connectionId);
      else heldOpen.delete(e.connectionId);
      store.add(record.name, at, 'held', heldOpen.size);
    }
    store.add(record.name, at, 'open', e.count - heldOpen.size);
  }
}

async function addLogEvents(store: BucketStore<RunField>, record: RunRecord, log: NonNullable<RunRecord['log']>): Promise<Finding[]> {
  let alive = 0;
  const onEvent = (ev: LogEvent) => {
    if (ev.kind !== 'create' && ev.kind !== 'remove' && ev.kind !== 'teardown' && ev.kind !== 'active') return;
    alive = adaptersAliveAfter(alive, ev);
    store.add(record.name, ev.time - record.from, 'adapters', alive);
  };
  const stream = createReadStream(log.file, { start: log.fromByte });
  const report = await verifySource({ name: log.file, stream }, { allowEmpty: true, onEvent });
  let clients = 0;
  for (const change of await gatewayClientChanges(log.file, log.fromByte)) {
    clients = Math.max(0, clients + change.delta);
    store.add(record.name, change.time - record.from, 'clients', clients);
  }
  return report.findings;
}
