/**
 * The in-process API of the `stormcheck` package: the same functions its CLI commands call.
 * Each part's own index keeps the full list; this entry names what a user embeds.
 */
export { verifyPaths, verifySource, verifyFollow, failsAt, VerifyInputError } from './verifier/index.ts';
export type { VerifyOptions, VerifyReport, Finding, Severity, LogFormat } from './verifier/index.ts';
export { startGateway, GATEWAY_DEFAULTS } from './gateway/index.ts';
export type { Gateway, GatewayOptions } from './gateway/index.ts';
export { startMockBroker, MOCK_BROKER_DEFAULTS } from './mock-broker/index.ts';
export type { MockBroker, MockBrokerOptions } from './mock-broker/index.ts';
export { runProbe, ProbeCannotStart } from './scenarios/probe/probe.ts';
export type { ProbeOptions, ProbeReport, Verdict } from './scenarios/probe/probe.ts';
