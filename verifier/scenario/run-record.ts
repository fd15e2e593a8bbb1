import type { BrokerEvent } from '../../fixtures/angel-broker/types.ts';
import type { PlanPhase } from './plan-phases.ts';

/**
 * What a scenario run leaves for its HTML page: the broker's connection timeline inside the run's window
 * (ground truth), the gateway's log, and the phases the traffic plan drove.
 */
export interface RunRecord {
  /** The column heading: a registry mode, or the probed endpoint. */
  name: string;
  /** Epoch ms bounds of the run. */
  from: number;
  to: number;
  brokerEvents: BrokerEvent[];
  /** The gateway's log of this run, read from its start; absent when there is none. */
  logFile?: string;
  phases: PlanPhase[];
}
