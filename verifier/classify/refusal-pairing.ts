import type { RefusalReporter } from './templates.ts';

/**
 * Pairs the two lines that report one refused handshake, by who wrote them and never by how close they
 * are in time: the adapter's error callback and websocket-client's `… - goodbye` line. With the SDK's
 * nested retries the goodbye lines of several handshakes come together, long after their adapter lines,
 * so each line is matched with the oldest unmatched line of the other reporter for the same broker.
 * A log with one reporter only (websocket-client 1.2.3 logs nothing) counts every line.
 */
export class RefusalPairing {
  private readonly unmatched = new Map<string, { reporter: RefusalReporter; lines: number }>();

  /** Whether this line reports a refusal already counted from the other reporter's line. */
  alreadyReported(reporter: RefusalReporter, broker: string | undefined): boolean {
    const key = broker ?? '?';
    const open = this.unmatched.get(key);
    if (open && open.reporter !== reporter) {
      if (--open.lines === 0) this.unmatched.delete(key);
      return true;
    }
    if (open) open.lines++;
    else this.unmatched.set(key, { reporter, lines: 1 });
    return false;
  }
}
