import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import { timelineColumn } from '../timeline.ts';
import { BucketStore, toAxis, type AxisBreak, type Combine } from './bucket-store.ts';

/** The series one chart draws for one user × broker, in the order they are drawn. */
export const EVENT_SERIES = {
  attempts: { label: 'upstream attempts/s', combine: 'sum' },
  refusals: { label: '429 refusals/s', combine: 'sum' },
  retries: { label: 'retries/s (all but attempt 1)', combine: 'sum' },
  adapters: { label: 'adapters alive', combine: 'level' },
} as const satisfies Record<string, { label: string; combine: Combine }>;

export type EventSeriesField = keyof typeof EVENT_SERIES;

/** Which axis the series are drawn on: time, or the order of the log lines when the log gives no spread of time. */
export type SeriesAxis = 'clock' | 'order';

export interface SubjectSeries {
  subject: string;
  user?: string;
  broker?: string;
  values: Record<EventSeriesField, (number | null)[]>;
  events: number;
}

export interface EventSeries {
  axis: SeriesAxis;
  /** Bucket start per point: epoch ms on the clock axis, event ordinal × 1000 on the order axis. */
  starts: number[];
  /** Where each point is drawn: its start, less the idle stretches cut short before it. */
  x: number[];
  breaks: AxisBreak[];
  bucketMs: number;
  subjects: SubjectSeries[];
}

const COMBINE = Object.fromEntries(Object.entries(EVENT_SERIES).map(([k, v]) => [k, v.combine])) as Record<EventSeriesField, Combine>;

/**
 * Builds, from the verifier's event stream, the per user × broker series the HTML report charts, bucketed
 * adaptively so any length of log yields a bounded number of points. It keeps a second store by event order
 * for logs whose events all carry one timestamp, which would otherwise collapse into a single point.
 */
export class EventSeriesBuilder {
  private readonly byTime = new BucketStore<EventSeriesField>(COMBINE);
  private readonly byOrder = new BucketStore<EventSeriesField>(COMBINE);
  private readonly alive = new Map<string, number>();
  private readonly who = new Map<string, { user?: string; broker?: string; events: number }>();
  private seen = 0;
  private firstTime = Number.NaN;
  private spread = false;

  observe(ev: LogEvent): void {
    const field = this.fieldFor(ev);
    if (!field) return;
    const subject = subjectKey(ev);
    const who = this.who.get(subject) ?? { user: ev.user, broker: ev.broker, events: 0 };
    who.events++;
    this.who.set(subject, who);
    if (Number.isNaN(this.firstTime)) this.firstTime = ev.time;
    else if (ev.time !== this.firstTime) this.spread = true;
    const order = this.seen++ * 1000;
    const value = field === 'adapters' ? this.alive.get(subject)! : 1;
    for (const [store, at] of [[this.byTime, ev.time], [this.byOrder, order]] as const) {
      store.add(subject, at, field, value);
      if (field === 'attempts' && !(ev.kind === 'attempt' && (ev.attempt ?? 1) === 1)) store.add(subject, at, 'retries');
    }
  }

  /** The series, on the clock axis unless every event carried the same timestamp. */
  build(): EventSeries {
    const axis: SeriesAxis = this.spread || this.seen <= 1 ? 'clock' : 'order';
    const store = axis === 'clock' ? this.byTime : this.byOrder;
    const subjects = store.subjectNames().map((subject) => {
      const who = this.who.get(subject)!;
      const values = Object.fromEntries(
        (Object.keys(EVENT_SERIES) as EventSeriesField[]).map((f) => [f, store.values(subject, f)]),
      ) as Record<EventSeriesField, (number | null)[]>;
      return { subject, user: who.user, broker: who.broker, values, events: who.events };
    });
    subjects.sort((a, b) => b.events - a.events || a.subject.localeCompare(b.subject));
    const starts = store.starts();
    const breaks = store.breaks();
    return { axis, starts, x: starts.map((ms) => toAxis(breaks, ms)), breaks, bucketMs: store.widthMs, subjects };
  }

  /** Attempts and refusals as the text and JSON timeline counts them (verifier/timeline.ts). */
  private fieldFor(ev: LogEvent): EventSeriesField | undefined {
    const column = timelineColumn(ev.kind);
    if (column === 'attempts' || column === 'refusals') return column;
    switch (ev.kind) {
      case 'create':
      case 'remove':
      case 'teardown':
      case 'active':
        this.alive.set(subjectKey(ev), adaptersAliveAfter(this.alive.get(subjectKey(ev)) ?? 0, ev));
        return 'adapters';
      default:
        return undefined;
    }
  }
}

/** Adapters alive after an adapter event: a creation adds one, a removal or teardown takes one, `Active … N` says. */
export function adaptersAliveAfter(alive: number, ev: LogEvent): number {
  if (ev.kind === 'active') return ev.count ?? alive;
  if (ev.kind === 'create') return alive + 1;
  return Math.max(0, alive - 1);
}
