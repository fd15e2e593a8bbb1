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
  private readonly file: WriteStream;
  /** What the gateway writes to; lines that arrive after `finish` are dropped. */
  readonly destination: { write(line: string): void };

  constructor(readonly path: string) {
    this.file = createWriteStream(path, { flags: 'w' });
    // The gateway may still log an `upstream.close` line after close() resolved (its sockets finish closing
    // a tick later); writing that to an ended file would throw inside pino.
    this.destination = {
      write: (line) => {
        if (!this.file.writableEnded) this.file.write(line);
      },
    };
  }

  /** Flushes and closes the file; call after the gateway has closed. */
  async finish(): Promise<void> {
    if (this.file.writableEnded) return;
    this.file.end();
    await once(this.file, 'close');
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
