import { UsageError } from './usage-error.ts';

/** The range `--time-scale` accepts: below it timers collapse into one event-loop turn. */
export const TIME_SCALE_RANGE = { min: 0.001, max: 10 } as const;

/** Validates the global `--time-scale F`; a bad value is a usage error naming the option. */
export function timeScaleOption(value: number): number {
  if (!Number.isFinite(value) || value < TIME_SCALE_RANGE.min || value > TIME_SCALE_RANGE.max) {
    throw new UsageError(`--time-scale must be a number from ${TIME_SCALE_RANGE.min} to ${TIME_SCALE_RANGE.max}, got ${value}`);
  }
  return value;
}

/**
 * The `--time-scale` declaration of the commands that run the legacy registries (gateway, reproduce),
 * with each one's default; the other commands do not offer it.
 */
export function timeScaleDeclaration(defaultScale: number) {
  return {
    type: 'number',
    default: defaultScale,
    describe: `Multiply every delay of the legacy registries (SDK retry sleeps, back-offs, freeze, watchdog) by this, ${TIME_SCALE_RANGE.min}–${TIME_SCALE_RANGE.max}`,
  } as const;
}
