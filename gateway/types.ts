import type { DestinationStream } from 'pino';
import type { BackoffPolicy } from './angel/backoff.ts';
import type { UpstreamSocketConstructor } from './angel/upstream-socket.ts';
import type { ClientLimits } from './client/session.ts';
import type { Clock, RandomSource } from './clock.ts';
import type { BrokerName } from './openalgo/protocol.ts';
import type { LogFormat } from './legacy/openalgo-text-format.ts';
import type { LegacyOptions } from './registry/legacy-registry.ts';
import type { HeartbeatPolicy } from './registry/registry.ts';

/**
 * The gateway's public shapes: options (one typed config object the CLI fills from yargs), the users
 * file, /health, and the in-process handle that tests and the scenario runners use.
 */

export const REGISTRY_MODES = ['singleton', 'legacy-2025', 'legacy-2026'] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];
/** What `--registry` accepts: a mode, or `legacy`, the alias of `legacy-2025`. */
export type RegistryChoice = RegistryMode | 'legacy';

export function resolveRegistry(choice: RegistryChoice): RegistryMode {
  return choice === 'legacy' ? 'legacy-2025' : choice;
}

/** One entry of `--users FILE` (SPEC §6). */
export interface UserRecord {
  apiKey: string;
  userId: string;
  broker: BrokerName;
  clientCode: string;
  brokerApiKey: string;
  feedToken: string;
  authToken: string;
}

/** One entry of AngelOne's scrip master (`--instruments FILE`); extra fields are kept but unused. */
export interface Instrument {
  token: string;
  symbol: string;
  name: string;
  exch_seg: string;
  [field: string]: unknown;
}

export interface GatewayOptions {
  host?: string; // 127.0.0.1
  port?: number; // 8765; 0 picks a free port
  brokerUrl?: string; // ws://127.0.0.1:9443/smart-stream
  registry?: RegistryChoice; // singleton
  users?: UserRecord[]; // one embedded demo user
  instruments?: Instrument[]; // fixtures/instruments.json
  adminPort?: number; // 8766; 0 picks a free port
  maxReconnect?: number; // 5
  lingerMs?: number; // 0 = keep until logout
  /** Where pino writes its JSON lines; tests and `reproduce` capture the log through this. */
  logDestination?: DestinationStream;
  /** Human-readable logs on stdout (pino-pretty) instead of JSON lines. */
  pretty?: boolean;
  /** `openalgo`: every line in OpenAlgo's text format (the SDK's in logzero's), for `verify` as on OpenAlgo's logs. */
  logFormat?: LogFormat;
  /** Upstream WebSocket constructor; default `ws`. Unit tests pass fakes. */
  WebSocket?: UpstreamSocketConstructor;
  /** Timers and time; default real time. */
  clock?: Clock;
  /** Jitter source; default Math.random. */
  random?: RandomSource;
  /** Reconnect backoff (default 1 s base, 30 s cap, 5 s base after a 429). */
  backoff?: Partial<BackoffPolicy>;
  /** Upstream heartbeat (default ping every 10 s, dead after 25 s of silence). */
  heartbeat?: Partial<HeartbeatPolicy>;
  /** Per-client caps against hostile clients. */
  clientLimits?: Partial<ClientLimits>;
  /** Largest client frame accepted, in bytes (default 64 KiB); larger frames close the client with 1009. */
  maxPayloadBytes?: number;
  /** The legacy registries' `--time-scale` and safety cap. */
  legacy?: Partial<LegacyOptions>;
}

export type AdapterState = 'idle' | 'connecting' | 'open' | 'backoff' | 'failed' | 'closed';

export interface AdapterHealth {
  user: string;
  broker: BrokerName;
  state: AdapterState;
  upstreamConnections: number;
  subscriptions: number;
  clients: number;
}

export interface GatewayHealth {
  status: 'ok';
  clients: number;
  adapters: AdapterHealth[];
}

export interface Gateway {
  /** ws://host:port — the OpenAlgo client endpoint */
  url: string;
  /** http://host:adminPort — /health, /metrics, POST /users/:id/logout */
  adminUrl: string;
  health(): GatewayHealth;
  logout(userId: string): Promise<void>;
  close(): Promise<void>;
}
