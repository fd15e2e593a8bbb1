import type { Logger } from 'pino';
import type { FaultPlan, PlannedFault } from './fault-plan.ts';
import type { Fault } from './types.ts';

/**
 * Runs a fault plan: each planned fault is injected `atMs` after its trigger, the plan's start or the
 * first accepted connection of a client code. Loading a plan cancels the one before; so do reset and
 * close.
 */
export class FaultSchedule {
  private timers = new Set<NodeJS.Timeout>();
  private waiting = new Map<string, PlannedFault[]>();

  constructor(
    private readonly inject: (fault: Fault) => void,
    private readonly log: Logger,
  ) {}

  load(plan: FaultPlan): void {
    this.cancel();
    for (const planned of plan.faults) {
      if (planned.after === 'start') this.at(planned);
      else this.waiting.set(planned.after.firstConnection, [...(this.waiting.get(planned.after.firstConnection) ?? []), planned]);
    }
  }

  /** A connection was accepted: the faults waiting for its client code's first connection start counting. */
  connectionAccepted(clientCode: string): void {
    if (this.waiting.size === 0) return;
    const planned = this.waiting.get(clientCode);
    if (!planned) return;
    this.waiting.delete(clientCode);
    for (const p of planned) this.at(p);
  }

  cancel(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.clear();
  }

  private at(planned: PlannedFault): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        this.inject(planned.fault);
      } catch (err) {
        // A planned fault that cannot start (its id is still active) must not stop the rest of the plan.
        this.log.error({ event: 'fault.plan.skipped', fault: planned.fault, error: (err as Error).message }, `Skipped a planned ${planned.fault.type} fault: ${(err as Error).message}`);
      }
    }, planned.atMs);
    timer.unref();
    this.timers.add(timer);
  }
}
