/** The reference gateway's public surface: the CLI, the scenario runners and the tests import from here. */
export { startGateway, GATEWAY_DEFAULTS } from './gateway.ts';
export { InstrumentMaster, loadInstrumentsFile, BUNDLED_INSTRUMENTS_PATH, EXCHANGE_TYPE_BY_EXCHANGE } from './instruments.ts';
export { DEMO_USER, loadUsersFile, UserDirectory } from './users.ts';
export { LogEvent, LogMessage } from './logger.ts';
export { CLUSTER_DEFAULTS, type ClusterHealth, type ClusterOptions } from './cluster/cluster-registry.ts';
export { ClusterLogEvent } from './cluster/cluster-log.ts';
export { DEFAULT_CLIENT_LIMITS, type ClientLimits } from './client/session.ts';
export { DEFAULT_LEGACY_OPTIONS, type LegacyOptions } from './registry/legacy-registry.ts';
export type { UpstreamSocket, UpstreamSocketConstructor } from './upstream/upstream-socket.ts';
export type { Clock, Timer, RandomSource } from './clock.ts';
export type { Gateway, GatewayOptions } from './gateway.ts';
export type { GatewayHealth } from './admin-http.ts';
export type { AdapterHealth } from './upstream/adapter-contract.ts';
export type { RegistryMode } from './registry/registry.ts';
export type { AdapterState } from './upstream/lifecycle.ts';
export type { UserRecord } from './users.ts';
export type { Instrument } from './instruments.ts';
