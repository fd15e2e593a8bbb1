import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';

interface BrokerState {
  /** Adapters alive: creations less teardowns, whatever the user. */
  alive: number;
  tornDown: boolean;
  /** The SDK retry counter last seen since the last connect, creation or forced reconnect. */
  lastAttempt: number | undefined;
  afterTeardown: FindingBuilder | undefined;
  interleaved: FindingBuilder | undefined;
}

/**
 * SDK sockets that outlive their adapter. OpenAlgo tears an adapter down while SmartWebSocketV2's
 * retry sleeps; the dead adapter's socket then reconnects and holds a broker slot no one releases.
 * Two signs, each an error: SDK retries (`Attempting to resubscribe/reconnect (Attempt N)...`) after
 * the last adapter of the broker was torn down, and retry counters that go back without a connect in
 * between (Attempt 1, Attempt 1, Attempt 2, Attempt 2 …): more than one live SDK instance.
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
      b = { alive: 0, tornDown: false, lastAttempt: undefined, afterTeardown: undefined, interleaved: undefined };
      this.brokers.set(key, b);
    }
    switch (ev.kind) {
      case 'create':
        b.alive++;
        b.lastAttempt = undefined;
        return;
      case 'teardown':
      case 'remove':
        b.alive = Math.max(0, b.alive - 1);
        b.tornDown = true;
        return;
      case 'connected':
      case 'forced-reconnect':
        b.lastAttempt = undefined;
        return;
      case 'sdk-retry':
        break;
      default:
        return;
    }
    if (b.tornDown && b.alive === 0) {
      b.afterTeardown ??= new FindingBuilder(this.name, 'error', undefined, ev.broker);
      b.afterTeardown.add(ev.time, ev.zoned, ev.ref);
    }
    const n = ev.attempt ?? 1;
    if (b.lastAttempt !== undefined && n <= b.lastAttempt) {
      b.interleaved ??= new FindingBuilder(this.name, 'error', undefined, ev.broker);
      b.interleaved.add(ev.time, ev.zoned, ev.ref);
    }
    b.lastAttempt = n;
  }

  finish(): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const b of this.brokers.values()) {
      if (b.afterTeardown && b.afterTeardown.count >= this.threshold) {
        out.push(
          b.afterTeardown.build(
            `${b.afterTeardown.count} SDK reconnect attempt(s) for ${subjectText(undefined, b.afterTeardown.broker)} after its last ` +
              'adapter was torn down: a zombie socket that takes a broker slot no one will release',
          ),
        );
      }
      if (b.interleaved && b.interleaved.count >= this.threshold) {
        out.push(
          b.interleaved.build(
            `${b.interleaved.count} time(s) the SDK retry counter for ${subjectText(undefined, b.interleaved.broker)} went back ` +
              'without a connect in between (Attempt 1, Attempt 1, Attempt 2 …): more than one live SDK instance',
          ),
        );
      }
    }
    return out;
  }
}
