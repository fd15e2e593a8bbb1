import type { DestinationStream } from 'pino';
import type { BrokerName } from './openalgo/protocol.ts';

/**
 * The gateway's public shapes: options (one typed config object the CLI fills from yargs), the users
 * file, /health, and the in-process handle that tests and the scenario runners use.
 */

export type RegistryMode = 'singleton' | 'legacy';

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
  registry?: RegistryMode; // singleton
  users?: UserRecord[]; // one embedded demo user
  instruments?: Instrument[]; // fixtures/instruments.json
  adminPort?: number; // 8766; 0 picks a free port
  maxReconnect?: number; // 5
  lingerMs?: number; // 0 = keep until logout
  /** Where pino writes its JSON lines; tests and `reproduce` capture the log through this. */
  logDestination?: DestinationStream;
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
