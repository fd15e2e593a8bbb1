import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';

const LIVE_COUNTERS = 16;

interface BrokerState {
  /** Adapters alive: creations less teardowns, whatever the user. */
  alive: number;
  tornDown: boolean;
  /** The last value of each SDK retry counter still counting, most recently advanced last. */
  counters: number[];
  /** The last connection line was an SDK retry (its handshake comes after the retry's sleep). */
  lastWasSdkRetry: boolean;
  /** …and the broker's last adapter was torn down during that sleep: the handshake is a zombie's. */
  retrySleepsThroughTeardown: boolean;
  afterTeardown: FindingBuilder | undefined;
  interleaved: FindingBuilder | undefined;
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
  private readonly brokers = new Map<string, BrokerState>();

  /** `threshold`: lines of one sign per broker from which it is reported (`--zombie-reconnect`). */
  constructor(private readonly threshold: number) {}

  observe(ev: LogEvent): void {
    const key = ev.broker ?? '?';
    let b = this.brokers.get(key);
    if (!b) {
      b = { alive: 0, tornDown: false, counters: [], retrySleepsThroughTeardown: false, lastWasSdkRetry: false, afterTeardown: undefined, interleaved: undefined };
      this.brokers.set(key, b);
    }
    switch (ev.kind) {
      case 'create':
        b.alive++;
        b.retrySleepsThroughTeardown = false;
        return;
      case 'teardown':
      case 'remove':
        b.alive = Math.max(0, b.alive - 1);
        b.tornDown = true;
        if (b.alive === 0 && b.lastWasSdkRetry) b.retrySleepsThroughTeardown = true;
        return;
      // The app's own attempt: a handshake still in flight at a teardown is the app's, not a zombie's.
      case 'attempt':
        b.lastWasSdkRetry = false;
        b.retrySleepsThroughTeardown = false;
        return;
      // A handshake's outcome after the teardown, announced by an SDK retry logged before it.
      case 'refused':
      case 'connected':
        if (b.retrySleepsThroughTeardown && b.alive === 0) this.afterTeardown(b, ev);
        b.retrySleepsThroughTeardown = false;
        // A connect resets the counter of whichever instance connected; which one, the log does not say.
        if (ev.kind === 'connected') b.counters = [];
        return;
      case 'sdk-retry':
        break;
      default:
        return;
    }
    b.lastWasSdkRetry = true;
    if (b.tornDown && b.alive === 0) this.afterTeardown(b, ev);
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

  private afterTeardown(b: BrokerState, ev: LogEvent): void {
    b.afterTeardown ??= new FindingBuilder(this.name, 'error', undefined, ev.broker);
    b.afterTeardown.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const b of this.brokers.values()) {
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
