import { describe, expect, it } from 'vitest';
import { logLevelOption } from '../../contract/log-levels.ts';
import { durationOption, portOption, wholeNumberOption } from '../../contract/option-checks.ts';
import { timeScaleOption } from '../../contract/time-scale-option.ts';
import { UsageError } from '../../contract/usage-error.ts';

describe('the shared option checks', () => {
  it('a whole number says its range, bounded or not, and echoes what was typed', () => {
    expect(wholeNumberOption('clients', '20', 1, 200)).toBe(20);
    expect(wholeNumberOption('limit', 3, 1)).toBe(3);
    expect(() => wholeNumberOption('clients', 1000, 1, 200)).toThrow(new UsageError("--clients must be a whole number from 1 to 200, got '1000'"));
    expect(() => wholeNumberOption('limit', 0, 1)).toThrow(new UsageError("--limit must be a whole number of at least 1, got '0'"));
    expect(() => wholeNumberOption('tick-ms', 1.5, 1)).toThrow(/--tick-ms must be a whole number of at least 1, got '1.5'/);
  });

  it('refuses what Number() would quietly turn into a count', () => {
    for (const value of [true, '', null, Number.NaN, 'abc', '2e500']) {
      expect(() => wholeNumberOption('seed', value, 0)).toThrow(UsageError);
    }
  });

  it('a port is 0 (any free one) to 65535', () => {
    expect(portOption('port', 0)).toBe(0);
    expect(portOption('admin-port', 65535)).toBe(65535);
    expect(() => portOption('port', 70000)).toThrow(new UsageError("--port must be a whole number from 0 to 65535, got '70000'"));
  });

  it('a duration takes units and a range', () => {
    expect(durationOption('duration', '10s', 1000, 3_600_000)).toBe(10_000);
    expect(durationOption('window', '1.5s', 1, 3_600_000)).toBe(1500);
    expect(() => durationOption('duration', '1ms', 1000, 3_600_000)).toThrow(new UsageError("--duration must be a duration from 1s to 1h such as 10s or 500ms, got '1ms'"));
    expect(() => durationOption('duration', '5d', 1000, 3_600_000)).toThrow(/--duration must be a duration from 1s to 1h/);
  });

  it('a bare number is refused with the units it may have meant', () => {
    expect(() => durationOption('window', '5', 1, 3_600_000)).toThrow(new UsageError('--window 5 needs a unit: 5ms, 5s, 5m or 5h'));
    expect(() => durationOption('window', 5, 1, 3_600_000)).toThrow(/--window 5 needs a unit/);
  });

  it('one list of log levels, and --time-scale within its range', () => {
    expect(logLevelOption('warn')).toBe('warn');
    expect(() => logLevelOption('loud')).toThrow(new UsageError("--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'"));
    expect(timeScaleOption(0.03)).toBe(0.03);
    expect(() => timeScaleOption(0)).toThrow(new UsageError('--time-scale must be a number from 0.001 to 10, got 0'));
  });
});
