/** The mock AngelOne broker's public surface: start it in-process, or run `stormcheck mock-broker`. */
export { startMockBroker, MOCK_BROKER_DEFAULTS } from './server.ts';
export { loadAccounts } from './accounts-file.ts';
export { FAULT_PLAN_VERSION, parseFaultPlan, parseFaultPlanText } from './fault-plan.ts';
export type { ClientAction, FaultPlan, FaultPlanParse, FaultTrigger, PlannedFault } from './fault-plan.ts';
export { mulberry32 } from '../contract/seeded-random.ts';
export { FAULT_SPECS, FAULT_TYPES, parseFault } from './faults.ts';
export type {
  Account,
  ActiveFault,
  BrokerEvent,
  ConnectionSubscriptions,
  Endpoint,
  Fault,
  FaultEndReason,
  FaultEvent,
  FaultOutcome,
  FaultType,
  MockBroker,
  MockBrokerOptions,
  MockBrokerStats,
  OnLimit,
} from './types.ts';
