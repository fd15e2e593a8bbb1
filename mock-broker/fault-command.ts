import { closest, distance } from 'fastest-levenshtein';
import type { Argv, CommandModule } from 'yargs';
import { ADMIN_TOKEN_ENV } from '../contract/admin-request-guard.ts';
import { UsageError } from '../contract/usage-error.ts';
import { AdminUnreachableError, MockAdminClient, adminBaseUrl, type AdminAnswer } from './admin-client.ts';
import { COMMON_FIELDS, FAULT_SPECS, FAULT_TYPES, TTL_FIELD, fieldsOf, parseFault, type FieldSpec } from './faults.ts';
import type { ActiveFault, FaultOutcome, FaultType } from './types.ts';

const ACTIONS = ['list', 'clear', 'reset'] as const;

/** Field kinds whose values are numbers; every option arrives as a string and is converted here. */
const NUMERIC = new Set<FieldSpec['kind']>(['count', 'ms', 'duration', 'probability', 'close-code', 'status']);

const kebab = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every fault field once, with what it means for each fault type that takes it. */
function fieldOptions(): Map<string, { spec: FieldSpec; describe: string }> {
  // Per field, the fault types that take it grouped by what it means for them.
  const options = new Map<string, { spec: FieldSpec; uses: Map<string, string[]> }>();
  for (const type of FAULT_TYPES) {
    for (const [field, spec] of Object.entries(FAULT_SPECS[type].fields as Record<string, FieldSpec>)) {
      const entry = options.get(field) ?? { spec, uses: new Map<string, string[]>() };
      entry.uses.set(spec.describe, [...(entry.uses.get(spec.describe) ?? []), type]);
      options.set(field, entry);
    }
  }
  const described = new Map(
    [...options].map(([field, { spec, uses }]) => [field, { spec, describe: [...uses].map(([text, types]) => `${types.join(', ')}: ${text}`).join('; ') }]),
  );
  for (const [field, spec] of Object.entries({ ...COMMON_FIELDS, ttlMs: TTL_FIELD })) {
    described.set(field, { spec, describe: `${spec.describe}${field === 'ttlMs' ? ' (lasting faults)' : ''}` });
  }
  return described;
}

const FIELD_OPTIONS = fieldOptions();

interface FaultArgs {
  'mock-url': string;
  action: string;
  'fault-id'?: string;
  'admin-token'?: string;
  [option: string]: unknown;
}

/** The fault a `<type> --field value…` command line describes, checked as the admin API checks it. */
function faultFromOptions(type: FaultType, args: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { type };
  for (const [field, { spec }] of FIELD_OPTIONS) {
    const value = args[kebab(field)];
    if (value === undefined) continue;
    if (!Object.hasOwn(fieldsOf(type), field)) {
      throw new UsageError(`${type} takes no --${kebab(field)}; its options: ${Object.keys(fieldsOf(type)).map((f) => `--${kebab(f)}`).join(', ')}`);
    }
    const text = String(value);
    body[field] = NUMERIC.has(spec.kind) && text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  }
  const parsed = parseFault(body);
  // The admin API names JSON fields ("perWindow"); on the command line the same field is --per-window.
  if (!parsed.ok) throw new UsageError(parsed.error.replace(/"([a-zA-Z]+)"/g, (quoted, field: string) => (FIELD_OPTIONS.has(field) ? `--${kebab(field)}` : quoted)));
  return parsed.fault as unknown as Record<string, unknown>;
}

function unknownAction(action: string): UsageError {
  const choices = [...ACTIONS, ...FAULT_TYPES];
  const near = closest(action, choices);
  const hint = distance(action, near) <= Math.max(2, Math.floor(action.length / 3)) ? `did you mean ${near}? ` : '';
  return new UsageError(`unknown action ${JSON.stringify(action)}; ${hint}use list, clear [fault-id], reset or a fault type: ${FAULT_TYPES.join(', ')}`);
}

/** An answer other than 200 is the user's to fix (wrong token, unknown id, bad field): exit 2 with the broker's words. */
function expectOk(answer: AdminAnswer, what: string): Record<string, unknown> {
  const json = answer.json as Record<string, unknown>;
  if (answer.status === 200) return json;
  const hint = answer.status === 401 ? ` (pass --admin-token or set ${ADMIN_TOKEN_ENV})` : '';
  throw new UsageError(`${what} answered HTTP ${answer.status}: ${String(json?.error ?? '')}${hint}`);
}

function describeActive(active: ActiveFault): string {
  const { type, id: _id, ...fields } = active.fault;
  const settings = Object.entries(fields).map(([field, value]) => `--${kebab(field)} ${value}`).join(' ');
  const ends = active.endsAt === undefined ? 'until cleared' : `ends ${new Date(active.endsAt).toISOString()}`;
  return `${active.id}\t${type}${settings ? ` ${settings}` : ''}\t${ends}`;
}

async function run(args: FaultArgs): Promise<string> {
  const base = adminBaseUrl(args['mock-url']);
  if (base === undefined) {
    throw new UsageError(`<mock-url> must be the mock broker's http(s):// or ws(s):// URL, e.g. http://127.0.0.1:9443; got ${JSON.stringify(args['mock-url'])}`);
  }
  const { action, 'fault-id': id } = args;
  const isType = (FAULT_TYPES as string[]).includes(action);
  if (!isType && !(ACTIONS as readonly string[]).includes(action)) throw unknownAction(action);
  if (id !== undefined && action !== 'clear') throw new UsageError(`${action} takes no positional argument (${JSON.stringify(id)}); only clear takes an id`);
  const usedFields = [...FIELD_OPTIONS.keys()].filter((field) => args[kebab(field)] !== undefined);
  if (!isType && usedFields.length > 0) throw new UsageError(`${action} takes no --${kebab(usedFields[0]!)}; fault options go with a fault type`);
  // Validated before any request: a typo never reaches the broker.
  const fault = isType ? faultFromOptions(action as FaultType, args) : undefined;

  const client = new MockAdminClient(base, args['admin-token'] || process.env[ADMIN_TOKEN_ENV] || undefined);
  if (fault) {
    const outcome = expectOk(await client.request('POST', 'faults', fault), 'POST /__admin/faults') as unknown as FaultOutcome;
    const lasts = outcome.active ? 'active until it ends or is cleared' : 'acted once';
    return `injected ${outcome.id} (${action}): ${outcome.affected} connection(s) affected; ${lasts}`;
  }
  if (action === 'list') {
    const active = expectOk(await client.request('GET', 'faults'), 'GET /__admin/faults') as unknown as ActiveFault[];
    return active.length === 0 ? 'no active faults' : active.map(describeActive).join('\n');
  }
  if (action === 'reset') {
    expectOk(await client.request('POST', 'reset'), 'POST /__admin/reset');
    return 'reset: faults, stats and events cleared; open connections kept';
  }
  if (id !== undefined) {
    expectOk(await client.request('DELETE', `faults/${encodeURIComponent(id)}`), `DELETE /__admin/faults/${id}`);
    return `cleared ${id}`;
  }
  const { removed } = expectOk(await client.request('DELETE', 'faults'), 'DELETE /__admin/faults');
  return `cleared ${String(removed)} fault(s)`;
}

/** `stormcheck fault`: drives a running mock broker's faults (docs/fault.md). */
export const faultCommand: Pick<CommandModule<object, FaultArgs>, 'builder' | 'handler'> = {
  builder: (yargs: Argv) => {
    let built = yargs
      .positional('mock-url', { type: 'string', describe: 'The mock broker: http(s)://HOST:PORT (or its ws(s):// client URL)' })
      .positional('action', { type: 'string', describe: `list | clear [fault-id] | reset | a fault type: ${FAULT_TYPES.join(', ')}` })
      .positional('fault-id', { type: 'string', describe: 'With clear: the id of the fault to remove (absent: all)' })
      .option('admin-token', { type: 'string', describe: `Sent as "Authorization: Bearer TOKEN" (default: $${ADMIN_TOKEN_ENV} if set)` });
    for (const [field, { describe }] of FIELD_OPTIONS) built = built.option(kebab(field), { type: 'string', describe, group: 'Fault fields:' });
    return built
      .example('$0 fault http://127.0.0.1:9443 latency --ms 200 --jitter-ms 50 --client-code DEMO1', 'Slow replies and ticks for one client code')
      .example('$0 fault http://127.0.0.1:9443 handshake-quota --per-window 3 --window-ms 60000 --ttl-ms 300000', 'A connection-rate limit for five minutes')
      .example('$0 fault http://127.0.0.1:9443 list', 'The active faults, one a line: id, type and fields, end')
      .example('$0 fault http://127.0.0.1:9443 clear slow-1', 'Remove one fault by id (clear alone removes all)')
      .example('$0 fault https://127.0.0.1:9443 reset --admin-token s3cret', 'Clear faults, stats and events of a TLS mock with a token')
      .epilogue('Fault options are the fault\'s JSON fields in kebab case (docs/mock-broker.md#faults).\nExit codes: 0 done, 2 bad input, the broker refused the request, or unreachable.') as unknown as Argv<FaultArgs>;
  },
  handler: async (args) => {
    try {
      process.stdout.write(`${await run(args)}\n`);
    } catch (err) {
      if (err instanceof AdminUnreachableError) throw new UsageError(err.message);
      throw err;
    }
    process.exitCode = 0;
  },
};
