import type { LogEvent } from './log-event.ts';
import type { RefusalReporter } from './templates.ts';

/**
 * Pairs the two lines that report one refused handshake, by who wrote them and never by how close they
 * are in time: the adapter's error callback and websocket-client's `… - goodbye` line. With the SDK's
 * nested retries the goodbye lines of several handshakes come together, long after their adapter lines,
 * so each line is matched with the oldest unmatched line of the other reporter. The goodbye line names no
 * broker, so pairs are not keyed by broker. A log with one reporter only (websocket-client 1.2.3 logs
 * nothing) counts every line.
 *
 * websocket-client ≥ 1.8 writes its goodbye in the same millisecond as the adapter's line, often first.
 * A goodbye that comes first is held while its millisecond lasts, so that when the adapter's line follows
 * the refusal is counted once, under the broker and user that line names.
 */
export class RefusalPairing {
  private unmatched: { reporter: RefusalReporter; lines: number } | undefined;
  private held: LogEvent[] = [];

  constructor(private readonly emit: (ev: LogEvent) => void) {}

  /** One line reporting a refused handshake: emitted, held, or dropped as the second line of a pair. */
  report(reporter: RefusalReporter, ev: LogEvent): void {
    if (reporter === 'application' && this.held.length > 0) {
      this.held.shift();
      this.emit(ev);
      return;
    }
    const open = this.unmatched;
    if (open && open.reporter !== reporter) {
      if (--open.lines === 0) this.unmatched = undefined;
      return;
    }
    if (reporter === 'library') {
      this.held.push(ev);
      return;
    }
    this.count(reporter);
    this.emit(ev);
  }

  /** Emits, each as a refusal of its own, the goodbye lines held from before `now`; `Infinity` at the end. */
  flush(now: number): void {
    while (this.held.length > 0 && this.held[0].time < now) {
      this.count('library');
      this.emit(this.held.shift()!);
    }
  }

  private count(reporter: RefusalReporter): void {
    if (this.unmatched) this.unmatched.lines++;
    else this.unmatched = { reporter, lines: 1 };
  }
}
