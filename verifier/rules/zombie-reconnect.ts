import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import { SubjectColumn } from './subject-column.ts';
import { SubjectTable } from './subject-table.ts';

const LIVE_COUNTERS = 16;

/** The kinds this rule reads; any other line leaves a broker's state as it was. */
const JUDGED = new Set<LogEvent['kind']>(['create', 'teardown', 'remove', 'attempt', 'refused', 'connected', 'sdk-retry']);

// A broker's flags, bits of one column.
const TORN_DOWN = 1;
/** The last connection line was an SDK retry (its handshake comes after the retry's sleep). */
const LAST_WAS_SDK_RETRY = 2;
/** …and the broker's last adapter was torn down during that sleep: the handshake is a zombie's. */
const RETRY_SLEEPS_THROUGH_TEARDOWN = 4;

/** What only a broker with SDK retry lines or zombie evidence holds. */
interface Retrying {
  /** The last value of each SDK retry counter still counting, most recently advanced last. */
  counters: number[];
  afterTeardown?: FindingBuilder;
  interleaved?: FindingBuilder;
}

/**
 * SDK sockets that outlive their adapter. OpenAlgo tears an adapter down while SmartWebSocketV2's
 * retry sleeps; the dead adapter's socket then reconnects and holds a broker slot no one releases.
 * It needs interleaved evidence, each sign an error: an SDK retry (`Attempting to resubscribe/reconnect
 * (Attempt N)...`) after the broker's last adapter was torn down, the handshake (refused or connected) of
 * a retry whose sleep spanned that teardown, or the retry counters of two SDK instances counting at once
 * (Attempt 1, Attempt 1, Attempt 2 …: a retry carries on a counter that another one has advanced past). A counter that restarts at 1 and counts on alone is a new instance,
 * as OpenAlgo 2026's own reconnect loop makes one after another: not a zombie.
 */
export class ZombieReconnectRule implements Rule {
  readonly name = 'zombie-reconnect';
  /** Adapters alive per broker (creations less teardowns, whatever the user), and its flags: columns over the subject table. */
  private readonly alive = new SubjectColumn();
  private readonly flags = new SubjectColumn(0, 'uint8');
  private readonly retrying = new Map<number, Retrying>();

  /** `threshold`: lines of one sign per broker from which it is reported (`--zombie-reconnect`). */
  constructor(
    private readonly threshold: number,
    private readonly table: SubjectTable = new SubjectTable(),
  ) {}

  observe(ev: LogEvent): void {
    if (!JUDGED.has(ev.kind)) return;
    const id = this.table.idOf(ev.broker);
    const alive = this.alive.get(id);
    const flags = this.flags.get(id);
    switch (ev.kind) {
      case 'create':
        this.alive.set(id, alive + 1);
        this.flags.set(id, flags & ~RETRY_SLEEPS_THROUGH_TEARDOWN);
        return;
      case 'teardown':
      case 'remove': {
        const left = Math.max(0, alive - 1);
        this.alive.set(id, left);
        this.flags.set(id, flags | TORN_DOWN | (left === 0 && flags & LAST_WAS_SDK_RETRY ? RETRY_SLEEPS_THROUGH_TEARDOWN : 0));
        return;
      }
      // The app's own attempt: a handshake still in flight at a teardown is the app's, not a zombie's.
      case 'attempt':
        this.flags.set(id, flags & ~(LAST_WAS_SDK_RETRY | RETRY_SLEEPS_THROUGH_TEARDOWN));
        return;
      // A handshake's outcome after the teardown, announced by an SDK retry logged before it.
      case 'refused':
      case 'connected': {
        if (flags & RETRY_SLEEPS_THROUGH_TEARDOWN && alive === 0) this.afterTeardown(id, ev);
        this.flags.set(id, flags & ~RETRY_SLEEPS_THROUGH_TEARDOWN);
        // A connect resets the counter of whichever instance connected; which one, the log does not say.
        const r = this.retrying.get(id);
        if (ev.kind === 'connected' && r) r.counters = [];
        return;
      }
      default:
    }
    this.flags.set(id, flags | LAST_WAS_SDK_RETRY);
    if (flags & TORN_DOWN && alive === 0) this.afterTeardown(id, ev);
    const b = this.retryingOf(id);
    const n = ev.attempt ?? 1;
    const carried = b.counters.lastIndexOf(n - 1);
    if (n > 1 && carried >= 0) {
      if (carried < b.counters.length - 1) {
        b.interleaved ??= new FindingBuilder(this.name, 'error', undefined, ev.broker);
        b.interleaved.add(ev.time, ev.zoned, ev.ref);
      }
      b.counters.splice(carried, 1);
    }
    b.counters.push(n);
    // Counters of instances long given up on never carry on; a few recent ones are all that can.
    if (b.counters.length > LIVE_COUNTERS) b.counters.shift();
  }

  private retryingOf(id: number): Retrying {
    let r = this.retrying.get(id);
    if (!r) this.retrying.set(id, (r = { counters: [] }));
    return r;
  }

  private afterTeardown(id: number, ev: LogEvent): void {
    const b = this.retryingOf(id);
    b.afterTeardown ??= new FindingBuilder(this.name, 'error', undefined, ev.broker);
    b.afterTeardown.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const b of this.retrying.values()) {
      if (b.afterTeardown && b.afterTeardown.count >= this.threshold) {
        out.push(
          b.afterTeardown.build(
            `${b.afterTeardown.count} SDK reconnect attempt(s) or their handshakes for ${subjectText(undefined, b.afterTeardown.broker)} ` +
              'after its last adapter was torn down: a zombie socket that takes a broker slot no one will release',
          ),
        );
      }
      if (b.interleaved && b.interleaved.count >= this.threshold) {
        out.push(
          b.interleaved.build(
            `${b.interleaved.count} SDK retry line(s) for ${subjectText(undefined, b.interleaved.broker)} carried on a retry counter ` +
              'while another counter had advanced since (Attempt 1, Attempt 1, Attempt 2 …): two SDK instances retrying at once',
          ),
        );
      }
    }
    return out;
  }
}
