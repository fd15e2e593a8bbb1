import type { BrokerEvent } from '../../mock-broker/index.ts';
import type { PlanPhase } from '../traffic/plan-phases.ts';

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
  /** Connections another application held with the same client code (reproduce's slot holder): drawn apart. */
  heldIds?: readonly number[];
  /** The log of this run: the lines from `fromByte` on (0 for a log the run wrote; absent when there is none). */
  log?: { file: string; fromByte: number };
  phases: PlanPhase[];
}
