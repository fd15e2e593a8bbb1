import type { LogEvent } from './log-event.ts';
import type { RefusalReporter } from './templates.ts';

/**
 * Pairs the two lines that report one refused handshake, by who wrote them and never by how close they
 * are in time: the adapter's error callback and websocket-client's `… - goodbye` line. With the SDK's
 * nested retries the goodbye lines of several handshakes come together, long after their adapter lines,
 * so each line is matched with the oldest unmatched line of the other reporter for the same broker. A
 * log with one reporter only (websocket-client 1.2.3 logs nothing) counts every line.
 *
 * websocket-client ≥ 1.8 writes its goodbye in the same millisecond as the adapter's line, often first,
 * and the goodbye names no broker. So a goodbye is held until the next event: when that is an adapter's
 * refusal line of the same millisecond, the two are one refusal, counted under the broker and user that
 * line names; anything else lets the goodbye through as a refusal of its own.
 */
export class RefusalPairing {
  private readonly unmatched = new Map<string, { reporter: RefusalReporter; lines: number }>();
  private held: LogEvent | undefined;

  constructor(private readonly emit: (ev: LogEvent) => void) {}

  /** Whether a goodbye is held for the line that may pair with it. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** One line reporting a refused handshake: emitted, held, or dropped as the second line of a pair. */
  report(reporter: RefusalReporter, ev: LogEvent): void {
    if (reporter === 'application' && this.held?.time === ev.time) {
      this.held = undefined;
      this.emit(ev);
      return;
    }
    this.flush();
    const key = ev.broker ?? '?';
    const open = this.unmatched.get(key);
    if (open && open.reporter !== reporter) {
      if (--open.lines === 0) this.unmatched.delete(key);
      return;
    }
    if (reporter === 'library') this.held = ev;
    else this.count(ev, reporter);
  }

  /** Lets a held goodbye through as a refusal of its own, unless the record at `now` may still pair with it. */
  flush(now = Number.POSITIVE_INFINITY): void {
    const held = this.held;
    if (!held || held.time >= now) return;
    this.held = undefined;
    this.count(held, 'library');
  }

  /** Emits a refusal no line of the other reporter has matched yet. */
  private count(ev: LogEvent, reporter: RefusalReporter): void {
    const key = ev.broker ?? '?';
    const open = this.unmatched.get(key);
    if (open) open.lines++;
    else this.unmatched.set(key, { reporter, lines: 1 });
    this.emit(ev);
  }
}
