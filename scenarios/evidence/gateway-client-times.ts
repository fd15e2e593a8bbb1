import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LogEvent } from '../../gateway/logger.ts';

/** A client connecting (+1) or leaving (−1) at `time` (epoch ms), from the gateway's own pino log. */
export interface ClientChange {
  time: number;
  delta: 1 | -1;
}

/**
 * Reads when clients connected and left from the gateway's log (its `client.connect` and
 * `client.disconnect` events): the OpenAlgo-side load the charts draw beside the broker's connections.
 */
export async function gatewayClientChanges(logFile: string, fromByte = 0): Promise<ClientChange[]> {
  const changes: ClientChange[] = [];
  const lines = createInterface({ input: createReadStream(logFile, { encoding: 'utf8', start: fromByte }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.includes('"client.')) continue;
    let entry: { event?: unknown; time?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (typeof entry.time !== 'number') continue;
    if (entry.event === LogEvent.clientConnect) changes.push({ time: entry.time, delta: 1 });
    else if (entry.event === LogEvent.clientDisconnect) changes.push({ time: entry.time, delta: -1 });
  }
  return changes;
}
