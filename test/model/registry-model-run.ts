import fc from 'fast-check';
import type { RegistryMode } from '../../gateway/index.ts';
import { authenticate, registryCommands } from './registry-model-commands.ts';
import { checkSafety, initialModel, InvariantError, subscriptionMismatch, type Model, type PoolLimits } from './registry-model.ts';
import { ModelSystem, type Speed } from './registry-model-system.ts';

/**
 * Runs the registry properties: random command sequences against a fresh broker and gateway, the model
 * checked after every command and once more at quiescence, with the seed and path of a failure printed
 * as a one-line replay command.
 */

export interface RegistryRunConfig {
  registry: RegistryMode;
  speed: Speed;
  /** Let fast-check's scheduler reorder concurrent authenticates and upstream handshakes. */
  scheduled: boolean;
  numRuns: number;
  maxCommands: number;
  seed: number;
  path?: string;
  /** fc.commands' own replay path (the `replayPath` comment of a printed counterexample). */
  replayPath?: string;
  maxReconnect: number;
  /** Stop generating and shrinking after this long (fast-check's interruptAfterTimeLimit). */
  timeLimitMs?: number;
  /** Pool runs: tokens per connection lowered so the model's symbols need several connections. */
  pool?: PoolLimits;
}

/** Gateway time within which, once faults stop, every subscribed client must see a tick (I4). */
const TICKS_WITHIN_MS = 5 * 60_000;

/** Seed, path and sizes from the environment, so a printed failure replays with one command. */
export function fromEnv(defaults: { seed: number; numRuns: number; maxCommands: number }): {
  seed: number;
  path?: string;
  replayPath?: string;
  numRuns: number;
  maxCommands: number;
} {
  const env = process.env;
  const number = (name: string, fallback: number) => (env[name] ? Number.parseInt(env[name]!, 10) : fallback);
  return {
    seed: number('STORMCHECK_SEED', defaults.seed),
    path: env.STORMCHECK_PATH || undefined,
    replayPath: env.STORMCHECK_REPLAY || undefined,
    numRuns: number('STORMCHECK_RUNS', defaults.numRuns),
    maxCommands: number('STORMCHECK_COMMANDS', defaults.maxCommands),
  };
}

/**
 * Faults stop (the stall ends, pending rejections are cleared) and every authenticated client
 * authenticates again, as the gateway's BROKER_ERROR tells it to. Then, within TICKS_WITHIN_MS of gateway
 * time, every held subscription must be upstream exactly once on an open connection (I3, strict), and
 * after that every (client, topic) held must receive market data (I4).
 */
export async function quiesce(model: Model, system: ModelSystem): Promise<void> {
  // On real timers the rest of a stall is gateway time against a silent broker, so it runs out. On the
  // manual clock no gateway time passes while it would, so the broker's reset ends it at once.
  const stallLeft = system.recorder.stallEndsAt - Date.now();
  if (system.config.speed === 'deep' && stallLeft > 0) await new Promise((resolve) => setTimeout(resolve, stallLeft + 20));
  system.clearFaults();
  for (const [id, state] of model.clients) if (state.user) await authenticate(model, system, [id], state.user);
  let mismatch: string | undefined;
  await system.time.pumpUntil(() => (mismatch = subscriptionMismatch(model, system, true)) === undefined, 'every held subscription upstream', TICKS_WITHIN_MS).catch(() => {
    throw new InvariantError(`I3 (each held subscription upstream exactly once) broken once faults stopped: ${mismatch}`);
  });
  // Ticks count from here: one sent by a connection a fault was about to close proves nothing.
  const marks = new Map([...system.clients].map(([id, client]) => [id, client.received.length]));
  const starving = (): string | undefined => {
    for (const [id, state] of model.clients) {
      const client = system.clients.get(id)!;
      for (const topic of state.topics) {
        const ticked = client.find(marks.get(id)!, (m) => m.type === 'market_data' && `${m.symbol}|${m.exchange}|${m.mode}` === topic);
        if (!ticked) return `c${id} (${state.user!.userId}) holds ${topic} but received no market data for it`;
      }
    }
    return undefined;
  };
  let hungry: string | undefined;
  await system.time.pumpUntil(() => (hungry = starving()) === undefined, 'ticks for every subscription', TICKS_WITHIN_MS).catch(() => {
    throw new InvariantError(`I4 (ticks after faults stop) broken: ${hungry}`);
  });
  await system.settle();
  checkSafety(model, system);
}

type RegistryCommands = Iterable<fc.AsyncCommand<Model, ModelSystem>>;

/** One run: a fresh broker and gateway, the commands, then quiescence. */
async function runSequence(config: RegistryRunConfig, commands: RegistryCommands, scheduler?: fc.Scheduler): Promise<void> {
  const system = await ModelSystem.start({
    registry: config.registry,
    speed: config.speed,
    maxReconnect: config.maxReconnect,
    seed: config.seed,
    scheduler,
    pool: config.pool,
  });
  try {
    const model = initialModel(config.maxReconnect, config.pool);
    const setup = () => ({ model, real: system });
    if (scheduler) {
      await fc.scheduledModelRun(scheduler, setup, commands);
      system.recorder.gate = undefined;
      await scheduler.waitAll();
    } else {
      await fc.asyncModelRun(setup, commands);
    }
    await quiesce(model, system);
  } finally {
    await system.stop();
  }
}

/** The property: any command sequence keeps the invariants, for the registry under test. */
export function registryProperty(config: RegistryRunConfig): fc.IAsyncProperty<[RegistryCommands]> | fc.IAsyncProperty<[RegistryCommands, fc.Scheduler]> {
  const commands = fc.commands(registryCommands, { maxCommands: config.maxCommands, size: 'max', replayPath: config.replayPath });
  return config.scheduled
    ? fc.asyncProperty(commands, fc.scheduler(), (cmds, scheduler) => runSequence(config, cmds, scheduler))
    : fc.asyncProperty(commands, (cmds) => runSequence(config, cmds));
}

/**
 * Runs the property and returns fast-check's details (failed, counterexample, seed, path, shrinks).
 * `examples` are command sequences run before the random ones (past counterexamples), unscheduled only.
 */
export function checkRegistry(config: RegistryRunConfig, examples: RegistryCommands[] = []): Promise<fc.RunDetails<unknown>> {
  const params = {
    seed: config.seed,
    path: config.path,
    numRuns: config.numRuns,
    interruptAfterTimeLimit: config.timeLimitMs,
    markInterruptAsFailure: false,
    includeErrorInReport: true,
  };
  const property = registryProperty(config);
  return (config.scheduled
    ? fc.check(property as fc.IAsyncProperty<[RegistryCommands, fc.Scheduler]>, params)
    : fc.check(property as fc.IAsyncProperty<[RegistryCommands]>, { ...params, examples: examples.map((e) => [e] as [RegistryCommands]) })) as Promise<fc.RunDetails<unknown>>;
}

/** The one command that replays a failure of the test named `testName`: seed, path and the commands' replay path. */
export function replayCommand(details: fc.RunDetails<unknown>, script: 'test' | 'test:deep', testName: string): string {
  const run = script === 'test' ? 'npx vitest run --config test/vitest.config.ts test/gateway/registry-properties.test.ts' : 'npm run test:deep --';
  const replayPath = /replayPath="([^"]*)"/.exec(String((details.counterexample as unknown[] | null)?.[0]))?.[1] ?? '';
  return `STORMCHECK_SEED=${details.seed} STORMCHECK_PATH=${details.counterexamplePath ?? ''} STORMCHECK_REPLAY='${replayPath}' ${run} -t "${testName}"`;
}

/** Throws fast-check's report plus the replay command when the property failed. */
export async function assertRegistry(
  config: RegistryRunConfig,
  script: 'test' | 'test:deep',
  testName: string,
  examples: RegistryCommands[] = [],
): Promise<fc.RunDetails<unknown>> {
  const details = await checkRegistry(config, examples);
  if (details.failed) {
    throw new Error(`${fc.defaultReportMessage(details)}\n\nReplay: ${replayCommand(details, script, testName)}`);
  }
  return details;
}
