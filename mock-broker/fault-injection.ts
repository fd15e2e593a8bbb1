import type { Logger } from 'pino';
import type { AccountsInUse } from './accounts-in-use.ts';
import type { ActiveFaults, FaultTarget } from './active-faults.ts';
import { describeCut, type BrokerConnection, type CutStyle } from './broker-connection.ts';
import { DEFAULT_DROP_CODE, FAULT_SPECS } from './faults.ts';
import type { OpenConnections } from './open-connections.ts';
import type { DropStyle, Fault, FaultOutcome } from './types.ts';

export interface FaultInjectionParts {
  connections: OpenConnections;
  faults: ActiveFaults;
  accounts: AccountsInUse;
  log: Logger;
}

/**
 * What a garbage-frame fault sends: a frame whose first byte claims an LTP tick (mode 1) but which
 * stops after 3 bytes, so a client that trusts the mode byte reads past its end.
 */
export const GARBAGE_FRAME = Buffer.from([0x01, 0x01, 0x32]);

function cutStyleOf(style: DropStyle): CutStyle {
  return style.mode === 'close' ? { mode: 'close', code: style.code ?? DEFAULT_DROP_CODE } : { mode: 'abort' };
}

type Hits = (target: FaultTarget, key?: object) => boolean;

/** The open connections a fault hits, counted per client code for the admin reply. */
function targets(connections: OpenConnections, hits: Hits): { chosen: BrokerConnection[]; affected: Pick<FaultOutcome, 'affected' | 'affectedByClientCode'> } {
  const chosen = connections.list().filter((c) => hits(c, c));
  const affectedByClientCode: Record<string, number> = {};
  for (const c of chosen) affectedByClientCode[c.clientCode] = (affectedByClientCode[c.clientCode] ?? 0) + 1;
  return { chosen, affected: { affected: chosen.length, affectedByClientCode } };
}

/** Acts on the connections open now; lasting faults then act through ActiveFaults on later frames and handshakes. */
function applyFault(fault: Fault, hits: Hits, { connections, faults, accounts }: FaultInjectionParts): Omit<FaultOutcome, 'id' | 'active'> {
  switch (fault.type) {
    case 'drop-all': {
      const { chosen, affected } = targets(connections, hits);
      const style = cutStyleOf(fault);
      for (const c of chosen) connections.drop(c, style, describeCut(style, 'drop-all fault'));
      return affected;
    }
    case 'close-after': {
      const { chosen, affected } = targets(connections, hits);
      for (const c of chosen) c.closeAfter(fault.messages, cutStyleOf(fault));
      return affected;
    }
    case 'garbage-frame': {
      const { chosen, affected } = targets(connections, hits);
      for (const c of chosen) for (let i = 0; i < fault.count; i++) c.send(GARBAGE_FRAME);
      return affected;
    }
    case 'expire-token':
      return { affected: 0, affectedByClientCode: {}, expiredTokens: faults.expireTokens(accounts.jwtsOf(fault.clientCode)) };
    case 'reject-next':
    case 'handshake-quota':
    case 'outage':
      return { affected: 0, affectedByClientCode: {} };
    default:
      return targets(connections, hits).affected;
  }
}

/**
 * Injects a fault: one that acts once (drop-all, close-after, garbage-frame, expire-token) acts on the
 * connections open now and ends; a lasting one stays in ActiveFaults until its ttlMs, its own end, a
 * DELETE or a reset. The record gets its start and end either way. Says what it touched.
 */
export function injectFault(fault: Fault, parts: FaultInjectionParts): FaultOutcome {
  const { id, hits } = parts.faults.start(fault);
  const lasting = FAULT_SPECS[fault.type].lasting;
  const outcome: FaultOutcome = { id, active: lasting, ...applyFault(fault, hits, parts) };
  if (!lasting) parts.faults.settle(id, fault);
  parts.log.info({ event: 'fault.injected', fault, ...outcome }, `Injected fault ${id} (${fault.type}); ${outcome.affected} connection(s) affected`);
  return outcome;
}

/** An outage's window opened: the connections it hits are cut, as when a broker goes down. */
export function cutForOutage(connections: OpenConnections, hits: (target: FaultTarget) => boolean): void {
  for (const c of connections.list()) if (hits(c)) connections.drop(c, { mode: 'abort' }, 'outage fault (abort)');
}
