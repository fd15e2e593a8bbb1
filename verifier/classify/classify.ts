import type { LogRecord } from '../parse/log-record.ts';
import type { LineRef, LogEvent } from './log-event.ts';
import { RefusalPairing } from './refusal-pairing.ts';
import { CANDIDATE_KEYWORDS, TEMPLATES, type TemplateField } from './templates.ts';
import { TimedQueue } from './timed-queue.ts';

// `BaseBrokerWebSocketAdapter initializing` is logged once per adapter instance, next to the line that
// says why the instance was made (a creation, a pool connection); within this span they are one event.
const SAME_INSTANCE_MS = 5_000;
const MODULE_BROKER = /^([a-z]+)_(?:hsm_)?(?:adapter|websocket|ws|streaming|client)/i;
const ANY_USER = /\b(?:for user|user[_ ]?id[=:]|user[=:])\s?([^\s,;:'"]+)/;

/**
 * Per template, the bits (by index in CANDIDATE_KEYWORDS) of the candidate keywords its needle holds: a
 * text without one of them fails the needle test, so a line whose keywords are known skips the test.
 */
const NEEDLE_KEYWORDS = TEMPLATES.map((t) => CANDIDATE_KEYWORDS.reduce((bits, k, i) => (t.needle.includes(k) ? bits | (1 << i) : bits), 0));

interface PendingInit {
  time: number;
  zoned: boolean;
  ref: LineRef;
}

/**
 * Turns records into events for the rules, one input at a time: matches the templates, fills in user
 * and broker where the log names them (message, pino fields, module, or the broker last named), and
 * folds adapter-instance initialisations into the creation they belong to.
 */
export class EventClassifier {
  private lastBroker: string | undefined;
  private readonly pendingInits = new TimedQueue<PendingInit>();
  /** Creations of the last few seconds that no initialisation line has been folded into yet. */
  private readonly credits = new TimedQueue<{ time: number }>();
  private readonly refusals: RefusalPairing;
  /** The time of the last record classified: the log's clock, which a quiet followed log moves on. */
  private lastTime = Number.NEGATIVE_INFINITY;
  private classified = 0;

  constructor(private readonly emit: (ev: LogEvent) => void) {
    this.refusals = new RefusalPairing(emit);
  }

  /**
   * Classifies one record; returns whether it was an event. `keywords`, where known, are the bits of the
   * candidate keywords in a line that holds `text` unchanged (no escapes decoded, no colour codes removed).
   */
  classify(record: LogRecord, ref: LineRef, text: string = record.message, keywords?: number): boolean {
    this.classified++;
    this.lastTime = record.time;
    this.flushInits(record.time);
    this.refusals.flush(record.time);
    for (let n = 0; n < TEMPLATES.length; n++) {
      const t = TEMPLATES[n]!;
      if (keywords !== undefined && (keywords & NEEDLE_KEYWORDS[n]!) !== NEEDLE_KEYWORDS[n]) continue;
      if (t.needle !== '' && !text.includes(t.needle)) continue;
      const m = t.re.exec(text);
      if (!m) continue;
      let gBroker: string | undefined;
      let gUser: string | undefined;
      let count: number | undefined;
      let attempt: number | undefined;
      const fields: readonly TemplateField[] = t.fields;
      for (let i = 0; i < fields.length; i++) {
        const v = m[i + 1];
        if (fields[i] === 'broker') gBroker = v;
        else if (fields[i] === 'user') gUser = v;
        else if (fields[i] === 'count') count = Number(v);
        else attempt = Number(v);
      }
      const named: string | undefined = 'broker' in t ? t.broker : undefined;
      const broker = (gBroker === 'HSM' ? 'fyers' : (gBroker ?? named ?? record.broker ?? moduleBroker(record.module) ?? this.lastBroker))?.toLowerCase();
      if (broker !== undefined && t.kind !== 'refused' && t.kind !== 'rest-rate-limit' && t.kind !== 'auth-failure') {
        this.lastBroker = broker;
      }
      const user = gUser ?? record.user ?? ANY_USER.exec(text)?.[1];
      if (t.kind === 'instance-init') {
        this.onInit({ time: record.time, zoned: record.zoned, ref });
        return true;
      }
      if (t.kind === 'create' || t.kind === 'pool-connection') this.pairWithInit(record.time);
      // Flattrade and Shoonya log a fresh connection without a number: it is their first attempt.
      if (t.kind === 'attempt' && attempt === undefined) attempt = 1;
      const ev: LogEvent = { kind: t.kind, time: record.time, zoned: record.zoned, user, broker, attempt, count, ref };
      // The two lines about one refused handshake are one refusal (docs/rules.md#one-refusal-per-handshake).
      if (t.kind === 'refused' && 'reports' in t) this.refusals.report(t.reports, ev);
      else {
        this.refusals.flush();
        this.emit(ev);
      }
      return true;
    }
    return false;
  }

  /** Emits what is still pending; call at the end of the input. */
  finish(): void {
    this.flushInits(Number.POSITIVE_INFINITY);
    this.refusals.flush();
  }

  /** Records classified so far: a followed log's quiet counts from the last, not from lines no rule reads. */
  get records(): number {
    return this.classified;
  }

  /** Whether a line is held back for a partner line still to come. */
  get holding(): boolean {
    return this.refusals.holding || this.pendingInits.length > 0;
  }

  /**
   * A followed log has had no new line to classify for `quietMs` (at least verifier/input/quiet-watch.ts's grace):
   * lets through what no line still to come can pair with. A goodbye's partner is written with it, so
   * it goes; an initialisation goes once its span has passed, counting the quiet as log time going by,
   * as it does in a live log. Returns whether anything is still held.
   */
  releaseAfterQuiet(quietMs: number): boolean {
    this.refusals.flush();
    this.flushInits(this.lastTime + quietMs);
    return this.holding;
  }

  private onInit(init: PendingInit): void {
    if (!this.credits.take((c) => Math.abs(c.time - init.time) <= SAME_INSTANCE_MS)) this.pendingInits.push(init);
  }

  private pairWithInit(time: number): void {
    if (this.pendingInits.take((p) => Math.abs(p.time - time) <= SAME_INSTANCE_MS)) return;
    this.credits.dropWhile((c) => time - c.time > SAME_INSTANCE_MS);
    this.credits.push({ time });
  }

  private flushInits(now: number): void {
    let init: PendingInit | undefined;
    while ((init = this.pendingInits.first()) && now - init.time > SAME_INSTANCE_MS) {
      this.pendingInits.shift();
      this.emit({ kind: 'create', time: init.time, zoned: init.zoned, broker: this.lastBroker, ref: init.ref });
    }
  }
}

function moduleBroker(module: string | undefined): string | undefined {
  return module ? MODULE_BROKER.exec(module)?.[1] : undefined;
}
