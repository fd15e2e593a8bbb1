import type { TemplateKind } from './templates.ts';

/** What a record means for the rules. `instance-init` is folded into `create` by the classifier. */
export type EventKind = Exclude<TemplateKind, 'instance-init'>;

/** Where a line came from, for `file:line` evidence. */
export interface LineRef {
  file: string;
  line: number;
}

export interface LogEvent {
  kind: EventKind;
  time: number;
  zoned: boolean;
  user?: string;
  broker?: string;
  /** `attempt N` of a connection line. */
  attempt?: number;
  /** `Active … adapters: N`, `Invalidated N cached pool(s)`, the clients on the gateway's dial line. */
  count?: number;
  ref: LineRef;
}

/** The key a rule judges an event under: per user when the log names one, else per broker. */
export function subjectKey(ev: { user?: string; broker?: string }): string {
  return ev.user !== undefined ? `${ev.broker ?? '?'}/${ev.user}` : (ev.broker ?? '?');
}
