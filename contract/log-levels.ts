import { UsageError } from './usage-error.ts';

/** pino's levels plus `silent`: what `--log-level` accepts in the gateway and the mock broker. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `--log-level`, or a UsageError listing the levels. */
export function logLevelOption(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  return value as LogLevel;
}
