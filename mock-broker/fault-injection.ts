import type { Logger } from 'pino';
import type { AccountsInUse } from './accounts-in-use.ts';
import { describeCut, type BrokerConnection, type CutStyle } from './broker-connection.ts';
import { DEFAULT_DROP_CODE, type FaultState } from './faults.ts';
import type { OpenConnections } from './open-connections.ts';
import type { DropStyle, Fault, FaultOutcome } from './types.ts';

export interface FaultInjectionParts {
  connections: OpenConnections;
  faults: FaultState;
  accounts: AccountsInUse;
  log: Logger;
}

function cutStyleOf(style: DropStyle): CutStyle {
  return style.mode === 'close' ? { mode: 'close', code: style.code ?? DEFAULT_DROP_CODE } : { mode: 'abort' };
}

/** The open connections a drop fault acts on, counted per client code for the admin reply. */
function targets(connections: OpenConnections, style: DropStyle): { chosen: BrokerConnection[]; outcome: FaultOutcome } {
  const chosen = connections.list().filter((c) => style.clientCode === undefined || c.clientCode === style.clientCode);
  const affectedByClientCode: Record<string, number> = {};
  for (const c of chosen) affectedByClientCode[c.clientCode] = (affectedByClientCode[c.clientCode] ?? 0) + 1;
  return { chosen, outcome: { affected: chosen.length, affectedByClientCode } };
}

function applyFault(fault: Fault, { connections, faults, accounts }: FaultInjectionParts): FaultOutcome {
  switch (fault.type) {
    case 'drop-all': {
      const { chosen, outcome } = targets(connections, fault);
      const style = cutStyleOf(fault);
      for (const c of chosen) connections.drop(c, style, describeCut(style, 'drop-all fault'));
      return outcome;
    }
    case 'close-after': {
      const { chosen, outcome } = targets(connections, fault);
      for (const c of chosen) c.closeAfter(fault.messages, cutStyleOf(fault));
      return outcome;
    }
    case 'reject-next':
      faults.rejectHandshakes(fault.count, fault.status ?? 429);
      return { affected: 0, affectedByClientCode: {} };
    case 'stall':
      faults.stall(fault.ms);
      return targets(connections, {}).outcome;
    case 'expire-token':
      return { affected: 0, affectedByClientCode: {}, expiredTokens: faults.expireTokens(accounts.jwtsOf(fault.clientCode)) };
  }
}

/**
 * Injects a fault: drop-all and close-after act on the connections open now, the others arm the
 * lasting fault state that later handshakes, pings and ticks consult. Says what it touched.
 */
export function injectFault(fault: Fault, parts: FaultInjectionParts): FaultOutcome {
  const outcome = applyFault(fault, parts);
  parts.log.info({ event: 'fault.injected', fault, ...outcome }, `Injected fault ${fault.type}; ${outcome.affected} connection(s) affected`);
  return outcome;
}
