import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Counts read from the gateway's own log (its `event` fields, SPEC §6 "Logs"). */
export interface GatewayLogCounts {
  lines: number;
  adaptersCreated: number;
  upstreamConnects: number;
}

/** A file the in-process gateway writes its pino lines to, kept so the user can read it afterwards. */
export class GatewayLogCapture {
  readonly destination: WriteStream;

  constructor(readonly path: string) {
    this.destination = createWriteStream(path, { flags: 'w' });
  }

  /** Flushes and closes the file; call after the gateway has closed. */
  async finish(): Promise<void> {
    if (this.destination.closed) return;
    this.destination.end();
    await once(this.destination, 'close');
  }

  async counts(): Promise<GatewayLogCounts> {
    const counts: GatewayLogCounts = { lines: 0, adaptersCreated: 0, upstreamConnects: 0 };
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      counts.lines += 1;
      const event = eventOf(line);
      if (event === 'adapter.create') counts.adaptersCreated += 1;
      else if (event === 'upstream.connect') counts.upstreamConnects += 1;
    }
    return counts;
  }
}

function eventOf(line: string): unknown {
  try {
    return (JSON.parse(line) as { event?: unknown }).event;
  } catch {
    return undefined;
  }
}
