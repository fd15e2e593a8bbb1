import type { PlannedFault } from '../../mock-broker/index.ts';
import type { BrokerAdminClient } from '../probe/broker-admin-client.ts';
import { BrokerWatch } from './broker-watch.ts';
import { sleepUntil } from '../traffic/traffic-runner.ts';

/** What became of one planned fault in a run. */
export interface FaultShot {
  planned: PlannedFault;
  /** Epoch ms at which the broker was told; absent when it never fired. */
  firedAt?: number;
  /** Connections it ended or armed, per client code, as the broker answered. */
  affected?: Record<string, number>;
  /** The broker's id of a fault still active after it fired: the run ends it, so it cannot touch the next one. */
  lastingId?: string;
  detail: string;
}

/**
 * Fires one planned fault through the broker's admin API: `atMs` after the run's start, or after the
 * first connection the broker accepts for a client code during the run. A fault whose moment comes after
 * `lastMoment` (the sequence is over) or never comes is reported as not fired.
 */
export async function fireFault(planned: PlannedFault, admin: BrokerAdminClient, startedAt: number, lastMoment: number, signal: AbortSignal): Promise<FaultShot> {
  let origin = startedAt;
  if (planned.after !== 'start') {
    const code = planned.after.firstConnection;
    const first = await new BrokerWatch(admin).next(startedAt, (e) => e.type === 'accepted' && e.clientCode === code, lastMoment - Date.now(), signal);
    if (!first) return { planned, detail: `${code} had no connection during the sequence` };
    origin = first.time;
  }
  if (origin + planned.atMs > lastMoment) return { planned, detail: 'the sequence ended first' };
  if (!(await sleepUntil(origin + planned.atMs, Date.now, signal))) return { planned, detail: 'the run stopped first' };
  const firedAt = Date.now();
  try {
    const outcome = await admin.inject(planned.fault);
    return {
      planned,
      firedAt,
      ...(outcome ? { affected: outcome.affectedByClientCode } : {}),
      ...(outcome?.lastingId === undefined ? {} : { lastingId: outcome.lastingId }),
      detail: 'fired',
    };
  } catch (err) {
    return { planned, detail: `the broker refused it: ${(err as Error).message}` };
  }
}
