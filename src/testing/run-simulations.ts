/**
 * `npm run test:simulation -- --scenarios 100000`: runs many more random deterministic scenarios
 * than CI does, in parallel worker processes, with a progress bar. A failing scenario prints its
 * seed (replay it with `--seed N`, or `SIM_SEED=N npx vitest run test/simulation`) and the run
 * exits non-zero.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { DISPATCH_NAMES, isDispatchName } from '../core/assigner/dispatch.js';
import { describeFailure, runScenario } from './sim-scenario.js';

interface WorkerJob {
  seeds: number[];
  durationMs: number;
  /** Dispatch strategy for every scenario, or undefined: each scenario draws one. */
  assigner: string | undefined;
}
type WorkerReport = { seed: number; failure: string | null; virtualMs: number };

const self = fileURLToPath(import.meta.url);

function count(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function strategy(name: string): string {
  if (!isDispatchName(name))
    throw new InvalidArgumentError(`expected one of ${DISPATCH_NAMES.join(', ')}`);
  return name;
}

if (process.argv[2] === '--worker') {
  // A worker: runs the seeds it is given and reports each result to its parent.
  process.on('message', (job: WorkerJob) => {
    let sent = 0;
    const done = () => {
      sent += 1;
      if (sent === job.seeds.length) process.exit(0);
    };
    if (job.seeds.length === 0) process.exit(0);
    for (const seed of job.seeds) {
      const r = runScenario(seed, {
        durationMs: job.durationMs,
        ...(job.assigner !== undefined && { assigner: job.assigner }),
        timings: { broadcastIntervalMs: 100 },
      });
      const report: WorkerReport = {
        seed,
        failure: r.violations.length > 0 ? describeFailure(r) : null,
        virtualMs: r.virtualMs,
      };
      process.send?.(report, done);
    }
  });
} else {
  const program = new Command()
    .name('test:simulation')
    .description('run random deterministic simulation scenarios')
    .option('--scenarios <n>', 'how many scenarios', count, 1000)
    .option('--base-seed <n>', 'first seed, or "random"', '1')
    .option('--seed <n>', 'replay exactly this scenario', count)
    .option('--duration-ms <ms>', 'length of the busy, faulty part of each scenario', count, 90_000)
    .option(
      '--assigner <name>',
      'dispatch strategy for every scenario (default: drawn per scenario)',
      strategy,
    )
    .option('--jobs <n>', 'worker processes', count, Math.max(1, availableParallelism()))
    .parse();
  const opts = program.opts<{
    scenarios: number;
    baseSeed: string;
    seed?: number;
    durationMs: number;
    jobs: number;
    assigner?: string;
  }>();
  const base = opts.baseSeed === 'random' ? Math.floor(Math.random() * 1e9) : Number(opts.baseSeed);
  const seeds =
    opts.seed !== undefined
      ? [opts.seed]
      : Array.from({ length: opts.scenarios }, (_, i) => base + i);
  process.stdout.write(
    `${seeds.length} scenarios from seed ${seeds[0] ?? base}, ${opts.jobs} worker(s)\n`,
  );
  const bar = new SingleBar(
    { format: ' {bar} {value}/{total} scenarios | {failed} failed | ETA {eta}s' },
    Presets.shades_classic,
  );
  bar.start(seeds.length, 0, { failed: 0 });
  const failures: string[] = [];
  let virtualMs = 0;
  const jobs = Math.min(opts.jobs, seeds.length);
  let finished = 0;
  for (let j = 0; j < jobs; j++) {
    const child = fork(self, ['--worker'], { execArgv: process.execArgv });
    child.on('message', (r: WorkerReport) => {
      virtualMs += r.virtualMs;
      if (r.failure !== null) failures.push(r.failure);
      bar.increment(1, { failed: failures.length });
    });
    child.on('exit', (code) => {
      if (code !== 0) failures.push(`a worker exited with code ${String(code)}`);
      finished += 1;
      if (finished < jobs) return;
      bar.stop();
      for (const f of failures.slice(0, 5)) process.stdout.write(`\n${f}\n`);
      process.stdout.write(
        `\n${seeds.length} scenarios, ${Math.round(virtualMs / 60_000)} simulated minutes: ${failures.length} failed\n`,
      );
      process.exitCode = failures.length > 0 ? 1 : 0;
    });
    child.send({
      seeds: seeds.filter((_, i) => i % jobs === j),
      durationMs: opts.durationMs,
      assigner: opts.assigner,
    } satisfies WorkerJob);
  }
}
