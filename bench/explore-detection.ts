import { DEMO_USER, startGateway, type RegistryMode } from '../gateway/index.ts';
import { startMockBroker } from '../mock-broker/index.ts';
import { runExplore, type ExploreReport } from '../scenarios/explore/explore.ts';
import { runReplay } from '../scenarios/explore/replay.ts';
import { intOption } from './bench-args.ts';
import { median } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';

/**
 * Issue 21 item 3, "done when": `probe --explore` finds legacy-2026's failure within 3 minutes from each
 * of 20 seeds, a replay of each minimal sequence fails again in at least 8 of 10 runs, and 10 minutes
 * against the singleton find nothing. Each run has its own mock broker (limit 2) and gateway in this
 * process; OpenAlgo's delays run at `--time-scale` (default 0.1: the SDK's 10 s retry sleep is 1 s).
 */
export interface ExploreDetectionConfig {
  seeds: number;
  firstSeed: number;
  budgetS: number;
  replays: number;
  singletonS: number;
  timeScale: number;
}

async function explore(mode: RegistryMode, seed: number, budgetMs: number, timeScale: number, replays: number): Promise<{ report: ExploreReport; replayFails: number }> {
  const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: 2, logLevel: 'silent' });
  const gateway = await startGateway({ host: '127.0.0.1', port: 0, adminPort: 0, brokerUrl: broker.url, registry: mode, logLevel: 'silent', legacy: { timeScale } });
  try {
    const report = await runExplore({ url: gateway.url, apiKey: DEMO_USER.apiKey, brokerAdmin: broker.adminUrl, seed, budgetMs });
    if (!report.failure || replays === 0) return { report, replayFails: 0 };
    const replay = await runReplay({ url: gateway.url, apiKey: DEMO_USER.apiKey, brokerAdmin: broker.adminUrl, plan: report.failure.plan, file: `seed ${seed}`, times: replays });
    return { report, replayFails: replay.failed };
  } finally {
    await gateway.close();
    await broker.close();
  }
}

/** `--name N` as a whole number, 0 included (0 skips that part), or `fallback`. */
function countOption(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

export const exploreDetection: Benchmark = {
  name: 'explore-detection',
  onlyWhenNamed: true,
  description: 'probe --explore against legacy-2026 from many seeds (time to first failure, minimal size, replay rate) and against the singleton',
  async run(args: string[]): Promise<BenchTable> {
    const scaleAt = args.indexOf('--time-scale');
    const config: ExploreDetectionConfig = {
      seeds: countOption(args, 'seeds', 20),
      firstSeed: intOption(args, 'first-seed', 1),
      budgetS: intOption(args, 'budget-s', 180),
      replays: countOption(args, 'replays', 10),
      singletonS: countOption(args, 'singleton-s', 600),
      timeScale: scaleAt >= 0 && Number(args[scaleAt + 1]) > 0 ? Number(args[scaleAt + 1]) : 0.1,
    };
    const rows: BenchTable['rows'] = [];
    const found: number[] = [];
    const data: unknown[] = [];
    for (let seed = config.firstSeed; seed < config.firstSeed + config.seeds; seed++) {
      const { report, replayFails } = await explore('legacy-2026', seed, config.budgetS * 1000, config.timeScale, config.replays);
      const f = report.failure;
      if (f) found.push(f.firstFailureMs);
      rows.push([
        `legacy-2026 seed ${seed}`,
        f ? (f.firstFailureMs / 1000).toFixed(1) : `none in ${config.budgetS}`,
        report.sequences,
        f ? `${f.firstFailingSteps} → ${f.minimalSteps}${f.shrinkInterrupted ? ' (cut)' : ''}` : '—',
        f ? `${replayFails} of ${config.replays}` : '—',
        f?.summary ?? '',
      ]);
      data.push({ seed, report, replayFails });
      process.stderr.write(`explore-detection: ${rows.at(-1)!.join(' | ')}\n`);
    }
    if (config.singletonS > 0) {
      const singleton = await explore('singleton', config.firstSeed, config.singletonS * 1000, config.timeScale, 0);
      rows.push([
        `singleton seed ${config.firstSeed}`,
        singleton.report.failure ? (singleton.report.failure.firstFailureMs / 1000).toFixed(1) : `none in ${config.singletonS}`,
        singleton.report.sequences,
        '—',
        '—',
        singleton.report.failure?.summary ?? '',
      ]);
      data.push({ singleton: singleton.report });
    }
    return {
      title: `probe --explore detection (legacy time scale ${config.timeScale}, budget ${config.budgetS} s per seed)`,
      columns: ['deployment', 'first failure (s)', 'sequences', 'steps first → minimal', 'replays failing', 'minimal failure'],
      rows,
      notes: [
        `legacy-2026 found from ${found.length} of ${config.seeds} seeds; median time to first failure ${found.length ? (median(found) / 1000).toFixed(1) : '—'} s`,
      ],
      data,
    };
  },
};
