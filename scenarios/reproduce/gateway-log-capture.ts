import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Counts read from the gateway's own log (its `event` fields, docs/gateway.md#logs). */
export interface GatewayLogCounts {
  lines: number;
  adaptersCreated: number;
  upstreamConnects: number;
  /** Adapters (2026: pools) torn down because their last client left. */
  teardowns: number;
  /** Handshakes an adapter's SDK made after the adapter was torn down (refused or not). */
  zombieAttempts: number;
  /** Of those, the ones that opened and so hold a broker slot for nobody. */
  zombieConnects: number;
  /** Times the SDK's nested retries ran out (`Connection closed due to max retry attempts reached.`). */
  sdkGiveUps: number;
  /** Proxy freezes while a disconnect joined the connect thread. */
  freezes: number;
  /** The legacy safety cap's own lines, verbatim: a run that hit the cap says so. */
  safetyCap: string[];
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
    const counts: GatewayLogCounts = { lines: 0, adaptersCreated: 0, upstreamConnects: 0, teardowns: 0, zombieAttempts: 0, zombieConnects: 0, sdkGiveUps: 0, freezes: 0, safetyCap: [] };
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      counts.lines += 1;
      const record = recordOf(line);
      if (record.event === 'adapter.create') counts.adaptersCreated += 1;
      else if (record.event === 'upstream.connect') counts.upstreamConnects += 1;
      else if (record.event === 'adapter.teardown') counts.teardowns += 1;
      else if (record.event === 'upstream.open' && record.zombie === true) {
        counts.zombieAttempts += 1;
        counts.zombieConnects += 1;
      } else if (record.event === 'upstream.rejected' && record.zombie === true) counts.zombieAttempts += 1;
      else if (record.event === 'sdk.give_up') counts.sdkGiveUps += 1;
      else if (record.event === 'legacy.freeze') counts.freezes += 1;
      else if (record.event === 'legacy.safety_cap' && typeof record.msg === 'string') counts.safetyCap.push(record.msg);
    }
    return counts;
  }
}

function recordOf(line: string): { event?: unknown; zombie?: unknown; msg?: unknown } {
  try {
    return JSON.parse(line) as { event?: unknown; zombie?: unknown; msg?: unknown };
  } catch {
    return {};
  }
}
