import { machineLine } from './machine.ts';
import { renderTable, type Benchmark, type BenchTable } from './table.ts';
import { selectBenchmarks } from './selection.ts';
import { cliStartup } from './cli-startup.ts';
import { verifyThroughput } from './verify-throughput.ts';
import { verifyMemory } from './verify-memory.ts';
import { fanout } from './fanout.ts';
import { authStorm } from './auth-storm.ts';
import { snapshot } from './snapshot.ts';
import { clusterFailover } from './cluster-failover.ts';
import { clusterFanout } from './cluster-fanout.ts';
import { clusterRelayTransport } from './cluster-relay-transport.ts';
import { recovery } from './recovery.ts';
import { memoryAttack } from './memory-attack.ts';
import { htmlReportOpen } from './html-report-open.ts';
import { mockFaultsIdle } from './mock-faults-idle.ts';
import { exploreDetection } from './explore-detection.ts';

/**
 * `npm run bench [-- --only NAME[,NAME…]] [--json] [benchmark options]`: runs the benchmarks listed here in
 * order and prints the machine line and one table per benchmark (or one JSON document).
 * Add a benchmark by appending its module to BENCHMARKS.
 */
const BENCHMARKS: Benchmark[] = [
  cliStartup,
  verifyThroughput,
  verifyMemory,
  fanout,
  authStorm,
  snapshot,
  recovery,
  memoryAttack,
  htmlReportOpen,
  clusterFanout,
  clusterFailover,
  clusterRelayTransport,
  mockFaultsIdle,
  exploreDetection,
];

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
const rest = argv.filter((a, i) => a !== '--json' && (onlyAt < 0 || (i !== onlyAt && i !== onlyAt + 1)));
let selected: Benchmark[];
try {
  selected = selectBenchmarks(BENCHMARKS, only);
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(2);
}

const machine = machineLine();
if (!json) process.stdout.write(`${machine}\n\n`);
const results: Array<{ name: string; table: BenchTable }> = [];
for (const b of selected) {
  process.stderr.write(`bench: ${b.name}: ${b.description}\n`);
  const table = await b.run(rest);
  results.push({ name: b.name, table });
  if (!json) process.stdout.write(`${renderTable(table)}\n`);
}
if (json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, machine, results }, null, 2)}\n`);
