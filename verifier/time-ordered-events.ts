import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { LogEvent } from './classify/log-event.ts';

/** Events held in memory before a sorted run of them goes to disk: about 15 MB of event objects. */
export const EVENTS_PER_RUN = 100_000;

const READ_CHUNK = 64 * 1024;

/**
 * The events of several inputs, handed back in time order (ties in the order they were added), in
 * bounded memory: `--merge` judges inputs as one process's logs, and holding every event of gigabytes
 * of logs until the last input is read is what made it unbounded. Past `eventsPerRun` events the held
 * ones are sorted and written to a temporary file as one run; `drain` merges the runs. The folder is
 * removed when the drain ends, or when the process exits first (a signal's `process.exit`).
 */
export class TimeOrderedEvents {
  private held: LogEvent[] = [];
  private runs: string[] = [];
  private folder: string | undefined;
  private readonly removeOnExit = () => this.removeFolder();

  constructor(private readonly eventsPerRun = EVENTS_PER_RUN) {}

  add(ev: LogEvent): void {
    this.held.push(ev);
    if (this.held.length >= this.eventsPerRun) this.spill();
  }

  /** Every added event, earliest first; the store is empty afterwards. */
  *drain(): Generator<LogEvent> {
    const last = byTime(this.held);
    this.held = [];
    if (this.runs.length === 0) {
      yield* last;
      return;
    }
    const readers = this.runs.map((file) => new RunReader(file));
    this.runs = [];
    try {
      yield* mergeRuns([...readers.map((r) => r.events()), last[Symbol.iterator]()]);
    } finally {
      for (const r of readers) r.close();
      this.removeFolder();
    }
  }

  private spill(): void {
    if (this.folder === undefined) {
      this.folder = mkdtempSync(join(tmpdir(), 'stormcheck-merge-'));
      process.once('exit', this.removeOnExit);
    }
    const file = join(this.folder, `run-${this.runs.length}.jsonl`);
    const fd = openSync(file, 'w');
    try {
      const sorted = byTime(this.held);
      for (let i = 0; i < sorted.length; i += 1_000) {
        writeSync(fd, sorted.slice(i, i + 1_000).map((ev) => `${JSON.stringify(ev)}\n`).join(''));
      }
    } finally {
      closeSync(fd);
    }
    this.runs.push(file);
    this.held = [];
  }

  private removeFolder(): void {
    if (this.folder === undefined) return;
    process.off('exit', this.removeOnExit);
    rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
  }
}

/** A stable sort by time: events of one millisecond keep the order they were read in. */
function byTime(events: LogEvent[]): LogEvent[] {
  return events.sort((a, b) => a.time - b.time);
}

/**
 * A k-way merge over a binary heap of run heads ordered by (time, run): on equal times the earlier
 * run wins, so the whole stays in the order of adding.
 */
function* mergeRuns(runs: Iterator<LogEvent>[]): Generator<LogEvent> {
  const heap: { ev: LogEvent; run: number }[] = [];
  const before = (a: { ev: LogEvent; run: number }, b: { ev: LogEvent; run: number }) =>
    a.ev.time < b.ev.time || (a.ev.time === b.ev.time && a.run < b.run);
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let least = at;
      if (l < heap.length && before(heap[l], heap[least])) least = l;
      if (r < heap.length && before(heap[r], heap[least])) least = r;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least], heap[at]];
      at = least;
    }
  };
  runs.forEach((it, run) => {
    const first = it.next();
    if (!first.done) heap.push({ ev: first.value, run });
  });
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  while (heap.length > 0) {
    const top = heap[0];
    yield top.ev;
    const next = runs[top.run].next();
    if (next.done) {
      const tail = heap.pop()!;
      if (heap.length === 0) return;
      heap[0] = tail;
    } else {
      top.ev = next.value;
    }
    siftDown(0);
  }
}

/** Reads one run file back, line by line, with a small buffer. */
class RunReader {
  private readonly fd: number;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  *events(): Generator<LogEvent> {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    // A user name may hold a character split across two reads.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = readSync(this.fd, buf, 0, READ_CHUNK, null);
      if (n === 0) break;
      const lines = (rest + decoder.write(buf.subarray(0, n))).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) yield JSON.parse(line) as LogEvent;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
