/** One log record as read from a line: when, how severe, from where, and what it said. */
export interface LogRecord {
  /** Epoch milliseconds; naive timestamps (no zone in the log) are read as UTC. */
  time: number;
  /** Whether the log gave a zone; naive times are printed without one. */
  zoned: boolean;
  level?: string;
  module?: string;
  message: string;
  /** Structured fields a JSON line carried (the gateway adds `event`, `user`, `broker`). */
  user?: string;
  broker?: string;
  event?: string;
  /** A line of OpenAlgo's `log/errors.jsonl`, which holds ERROR and above only. */
  errorSink?: true;
}

/** Renders a record time as ISO-8601, keeping a naive time naive. */
export function formatTime(time: number, zoned: boolean): string {
  const iso = new Date(time).toISOString();
  return zoned ? iso : iso.slice(0, -1);
}
