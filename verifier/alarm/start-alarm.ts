import { isListenFailure, listenFailureMessage } from '../../contract/listen-failure.ts';
import { UsageError } from '../../contract/usage-error.ts';
import type { LogEvent } from '../classify/log-event.ts';
import type { Rotation, Severity, Thresholds } from '../types.ts';
import { AlarmMetrics } from './alarm-metrics.ts';
import { AlarmWindow } from './alarm-window.ts';
import type { RuleSettings } from '../rules/configured-rules.ts';
import { serveMetrics } from './metrics-server.ts';

/** What `verify --follow --metrics` asks for. */
export interface AlarmRequest {
  file: string;
  host: string;
  port: number;
  windowMs: number;
  thresholds: Thresholds;
  /** The config file's per-rule settings. */
  ruleSettings: RuleSettings;
  failOn: Severity;
}

/** A running alarm: the hooks that feed it from the follow, its address, and `close`. */
export interface RunningAlarm {
  url: string;
  onEvent: (ev: LogEvent) => void;
  onData: (chunk: Buffer) => void;
  onRotation: (rotation: Rotation) => void;
  close: () => Promise<void>;
}

/** Starts the metrics server of the alarm; a port that cannot be had is a UsageError naming it. */
export async function startAlarm(req: AlarmRequest, now: () => number = Date.now): Promise<RunningAlarm> {
  const window = new AlarmWindow(req.thresholds, req.ruleSettings, req.windowMs, now);
  const metrics = new AlarmMetrics(window, req.failOn, now);
  let lastLineAt: number | undefined;
  const health = { file: req.file, lastLineAgeSeconds: () => (lastLineAt === undefined ? undefined : (now() - lastLineAt) / 1000) };
  let served: Awaited<ReturnType<typeof serveMetrics>>;
  try {
    served = await serveMetrics(metrics.registry, health, req.host, req.port);
  } catch (err) {
    if (isListenFailure(err)) throw new UsageError(listenFailureMessage(err.code, req.host, req.port, '--metrics [HOST:]PORT', 9464));
    throw err;
  }
  const { server, address } = served;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    onEvent: (ev) => window.observe(ev),
    onData: (chunk) => {
      metrics.read(chunk);
      if (chunk.includes(10)) lastLineAt = now();
    },
    onRotation: (r) => metrics.rotated(r.kind),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
