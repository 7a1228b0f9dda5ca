/**
 * `elevator-mesh bench`: the dispatch benchmark. Seeded traffic in virtual time through the nodes'
 * own state machine, the simulator's car physics and each assigner; prints a table, writes
 * `bench.json` and `wait-distribution.svg` to the output directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DISPATCH_NAMES_HELP, isDispatchName } from '../../core/assigner/dispatch.js';
import { benchJson, formatBenchTable } from '../../bench/bench-report.js';
import { energyTradeoffSvg } from '../../bench/energy-plot-svg.js';
import type { BenchConfig, BuildingSize } from '../../bench/bench-runner.js';
import {
  formatOptimumTable,
  optimumConfigFor,
  runOptimumSection,
} from '../../bench/optimum-ratio.js';
import { DEFAULT_BENCH_CONFIG, runBench } from '../../bench/bench-runner.js';
import type { TrafficPattern } from '../../bench/traffic.js';
import { TRAFFIC_PATTERNS } from '../../bench/traffic.js';
import { waitDistributionSvg } from '../../bench/wait-plot-svg.js';

interface BenchOptions {
  sizes?: BuildingSize[];
  patterns?: TrafficPattern[];
  intensities?: number[];
  assigners?: string[];
  seeds?: number[];
  duration?: number;
  warmup?: number;
  capacity?: number;
  quick?: true;
  out: string;
  progress: boolean;
  optimum: boolean;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseSizes(value: string): BuildingSize[] {
  return list(value).map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s);
    const cars = Number(m?.[1]);
    const floors = Number(m?.[2]);
    if (m === null || cars < 1 || floors < 2) {
      throw new InvalidArgumentError(`"${s}" is not <cars>x<floors> (e.g. 4x10, floors >= 2)`);
    }
    return { cars, floors };
  });
}

function parsePatterns(value: string): TrafficPattern[] {
  return list(value).map((s) => {
    const p = TRAFFIC_PATTERNS.find((x) => x === s);
    if (p === undefined) {
      throw new InvalidArgumentError(
        `unknown pattern "${s}" (known: ${TRAFFIC_PATTERNS.join(', ')})`,
      );
    }
    return p;
  });
}

function parseNumbers(what: string, min: number) {
  return (value: string): number[] =>
    list(value).map((s) => {
      const n = Number(s);
      if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`bad ${what} "${s}"`);
      return n;
    });
}

function parseAssigners(value: string): string[] {
  return list(value).map((s) => {
    if (!isDispatchName(s)) {
      throw new InvalidArgumentError(`unknown assigner "${s}" (known: ${DISPATCH_NAMES_HELP})`);
    }
    return s;
  });
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** The configuration from the options: defaults, then `--quick`, then explicit options. */
export function benchConfigFromOptions(
  o: Omit<BenchOptions, 'out' | 'progress' | 'optimum'>,
): BenchConfig {
  const base: BenchConfig = { ...DEFAULT_BENCH_CONFIG };
  if (o.quick === true) {
    base.sizes = base.sizes.filter((s) => s.cars * s.floors <= 160);
    base.intensities = [0.5, 1.2];
    base.durationMs = 6 * 60_000;
    base.warmupMs = 60_000;
  }
  if (o.sizes !== undefined) base.sizes = o.sizes;
  if (o.patterns !== undefined) base.patterns = o.patterns;
  if (o.intensities !== undefined) base.intensities = o.intensities;
  if (o.assigners !== undefined) base.assigners = o.assigners;
  if (o.seeds !== undefined) base.seeds = o.seeds;
  if (o.duration !== undefined) base.durationMs = Math.round(o.duration * 60_000);
  if (o.warmup !== undefined) base.warmupMs = Math.round(o.warmup * 60_000);
  if (o.capacity !== undefined) base.capacity = o.capacity;
  if (base.warmupMs >= base.durationMs) base.warmupMs = 0;
  return base;
}

/** Registers the `bench` subcommand. */
export function register(program: Command): void {
  program
    .command('bench')
    .description('dispatch benchmark: seeded traffic in virtual time, per assigner (see --help)')
    .option(
      '--sizes <list>',
      'building sizes, <cars>x<floors>, e.g. 2x4,3x4,4x10,8x20,16x50',
      parseSizes,
    )
    .option('--patterns <list>', `traffic patterns (${TRAFFIC_PATTERNS.join(', ')})`, parsePatterns)
    .option(
      '--intensities <list>',
      'arrival rates relative to the nominal handling capacity (default 0.3,0.7,1.2)',
      parseNumbers('intensity', 0),
    )
    .option('--assigners <list>', `assigners (${DISPATCH_NAMES_HELP})`, parseAssigners)
    .option('--seeds <list>', 'traffic seeds (default 1-8)', parseNumbers('seed', 0))
    .option('--duration <minutes>', 'virtual minutes of arrivals per run (default 15)', positive)
    .option('--warmup <minutes>', 'virtual minutes not measured at the start (default 2)', positive)
    .option('--capacity <n>', 'passengers per car (default 8)', positive)
    .option('--quick', 'a short run: smaller buildings, two intensities, 6 minutes')
    .option('--out <dir>', 'output directory', 'artifacts/bench')
    .option('--no-progress', 'no progress bar')
    .option(
      '--no-optimum',
      'skip the ratio to the offline optimum (2-minute traces of the sizes up to 3x4)',
    )
    .action(async (options: BenchOptions) => {
      const config = benchConfigFromOptions(options);
      const bar = new cliProgress.SingleBar(
        {
          format: 'bench [{bar}] {value}/{total} {label}',
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      const result = await runBench(config, (done, total, label) => {
        if (!options.progress) return;
        if (!started) {
          bar.start(total, 0, { label });
          started = true;
        }
        bar.update(done, { label });
      });
      const optimumConfig = options.optimum ? optimumConfigFor(config) : null;
      const optimum =
        optimumConfig === null
          ? null
          : await runOptimumSection(optimumConfig, (done, total, label) => {
              if (started) bar.update({ label: `${label} (${done}/${total})` });
            });
      if (started) bar.stop();
      mkdirSync(options.out, { recursive: true });
      const jsonPath = join(options.out, 'bench.json');
      const svgPath = join(options.out, 'wait-distribution.svg');
      writeFileSync(jsonPath, benchJson(result));
      writeFileSync(svgPath, waitDistributionSvg(result.runs, config.patterns, config.assigners));
      const energyPath = join(options.out, 'wait-vs-floors.svg');
      writeFileSync(
        energyPath,
        energyTradeoffSvg(
          result.cells,
          config.sizes.map((s) => `${s.cars}x${s.floors}`),
          config.assigners,
        ),
      );
      let optimumText = '';
      if (optimum !== null) {
        const optimumPath = join(options.out, 'optimum.json');
        writeFileSync(optimumPath, `${JSON.stringify(optimum, null, 2)}\n`);
        optimumText = `\n${formatOptimumTable(optimum)}wrote ${optimumPath}\n`;
      }
      process.stdout.write(
        `${formatBenchTable(result)}\nwrote ${jsonPath}, ${svgPath} and ${energyPath}\n${optimumText}`,
      );
    });
}
