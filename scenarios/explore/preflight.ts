import type { BrokerAdminClient } from '../probe/broker-admin-client.ts';
import { ProbeCannotStart, reasonOf } from '../probe/probe.ts';
import { OpenAlgoSession, SessionError } from '../traffic/openalgo-client.ts';
import { ErrorCode } from '../../protocol/openalgo/index.ts';
import type { PlanRun } from './plan-runner.ts';

/**
 * Before the first sequence: the broker's admin must answer and the target must accept a connection. The
 * connection does not authenticate, so the deployment's first authenticates are the sequence's own.
 */
export async function preflight(url: string, brokerAdmin: string, admin: BrokerAdminClient): Promise<void> {
  try {
    await admin.record();
  } catch (err) {
    throw new ProbeCannotStart(`cannot read the broker's record at --broker-admin ${brokerAdmin}: ${reasonOf(err)}`);
  }
  try {
    await (await OpenAlgoSession.connect(url, { replyTimeoutMs: 5000 })).close();
  } catch (err) {
    if (err instanceof SessionError) throw new ProbeCannotStart(`${err.message}; is the gateway running?`);
    throw err;
  }
}

/** Throws when the target refused the API key during a run: no sequence can be judged with that key. */
export function assertKeyAccepted(run: PlanRun, url: string): void {
  const refused = run.clients.flatMap((c) => c.problems).find((p) => p.startsWith(`${ErrorCode.authentication}:`));
  if (refused) throw new ProbeCannotStart(`${url} refused the API key (${refused}); check --api-key`);
}
