import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SafetyCap } from '../../gateway/legacy/safety-cap.ts';
import { LogCapture } from '../support/gateway-harness.ts';
import { FakeClock } from '../support/gateway-fakes.ts';

/** Moves the fake clock, then lets the promises its timers resolved run. */
async function tick(time: FakeClock, ms: number): Promise<void> {
  time.advance(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('legacy safety cap (≤ N attempts/s, stop after a runaway lasted M ms)', () => {
  it('defers the attempt past the per-second limit to the next second and says so once', async () => {
    const time = new FakeClock();
    const logs = new LogCapture();
    const cap = new SafetyCap({ maxAttemptsPerSecond: 3, runawayPerSecond: 100, maxRunawayMs: 60_000 }, time, pino({}, logs));
    for (let i = 0; i < 3; i++) expect(await cap.permit()).toBe(true);
    let fourth: boolean | undefined;
    void cap.permit().then((ok) => (fourth = ok));
    await tick(time, 999);
    expect(fourth).toBeUndefined();
    await tick(time, 1);
    expect(fourth).toBe(true);
    expect(logs.records().map((r) => r.msg)).toEqual([
      'Legacy safety cap hit: more than 3 connection attempts in one second; further attempts wait for the next second',
    ]);
  });

  it('refuses every attempt once a runaway has lasted maxRunawayMs, and prints why', async () => {
    const time = new FakeClock();
    const logs = new LogCapture();
    const cap = new SafetyCap({ maxAttemptsPerSecond: 1000, runawayPerSecond: 5, maxRunawayMs: 2000 }, time, pino({}, logs));
    for (let second = 0; second < 2; second++) {
      for (let i = 0; i < 10; i++) expect(await cap.permit()).toBe(true);
      await tick(time, 1000);
    }
    expect(await cap.permit()).toBe(false);
    expect(await cap.permit()).toBe(false);
    expect(logs.records().map((r) => r.msg)).toEqual(['Legacy safety cap hit: a runaway of more than 5 attempts/s lasted 2 s; all legacy dialling stops']);
  });

  it('a gentle retry loop is never capped', async () => {
    const time = new FakeClock();
    const logs = new LogCapture();
    const cap = new SafetyCap({ maxAttemptsPerSecond: 1000, runawayPerSecond: 5, maxRunawayMs: 2000 }, time, pino({}, logs));
    for (let i = 0; i < 100; i++) {
      expect(await cap.permit()).toBe(true);
      await tick(time, 500);
    }
    expect(logs.lines).toHaveLength(0);
  });
});
