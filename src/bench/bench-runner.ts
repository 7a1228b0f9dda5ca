/**
 * The dispatch benchmark: every (building size, traffic pattern) cell, at several intensities and
 * seeds, run once per assigner on the very same passengers, then aggregated per cell and compared
 * with the reference assigner and the per-run lower bound.
 */
import type { Assigner } from '../core/assigner/assigner-types.js';
import { createDispatch } from '../core/assigner/dispatch.js';
import { REFERENCE_TIMINGS, DEFAULT_CAR_CAPACITY, runStrategySim } from './building-sim.js';
import type { RunMetrics } from './run-metrics.js';
import { computeRunMetrics, measuredWaits } from './run-metrics.js';
import type { TrafficPattern } from './traffic.js';
import { generateTraffic } from './traffic.js';

/** A building: cars x floors. */
export interface BuildingSize {
  cars: number;
  floors: number;
}

/** What to run. */
export interface BenchConfig {
  sizes: BuildingSize[];
  patterns: TrafficPattern[];
  /** Arrival rates relative to the nominal handling capacity (see `nominalCapacityPerMinute`). */
  intensities: number[];
  assigners: string[];
  seeds: number[];
  /** Arrivals happen in [0, durationMs); those before `warmupMs` are not measured. */
  durationMs: number;
  warmupMs: number;
  /** After the arrivals stop, the run goes on at most this long to let everyone arrive. */
  drainMs: number;
  capacity: number;
}

/**
 * The baselines every strategy is compared with: the course reference, and the same reference with
 * the idle-car parking (so that a strategy's win is not only the parking).
 */
export const BASELINES = ['reference', 'reference+park'] as const;

/** The default run: every size and pattern, light to near-saturated load, eight seeds. */
export const DEFAULT_BENCH_CONFIG: Readonly<BenchConfig> = Object.freeze<BenchConfig>({
  sizes: [
    { cars: 2, floors: 4 },
    { cars: 3, floors: 4 },
    { cars: 4, floors: 10 },
    { cars: 8, floors: 20 },
    { cars: 16, floors: 50 },
  ],
  patterns: ['up-peak', 'down-peak', 'lunch', 'interfloor'],
  intensities: [0.3, 0.7, 1.2],
  assigners: ['reference', 'reference+park', 'mesh', 'mesh+park', 'mesh+idle'],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  durationMs: 15 * 60_000,
  warmupMs: 2 * 60_000,
  drainMs: 60 * 60_000,
  capacity: DEFAULT_CAR_CAPACITY,
});

/** One simulation: a cell, an intensity, a seed, an assigner. */
export interface RunResult {
  cars: number;
  floors: number;
  pattern: TrafficPattern;
  intensity: number;
  seed: number;
  assigner: string;
  metrics: RunMetrics;
  /** Every measured passenger's wait, in seconds (for the distribution plot). */
  waitsS: number[];
}

/** A cell's figures for one assigner: each metric averaged over the cell's runs (max: maximum). */
export interface CellResult {
  cars: number;
  floors: number;
  pattern: TrafficPattern;
  assigner: string;
  runs: number;
  metrics: RunMetrics;
  /** Averages over runs of each run's figure divided by that run's lower bound. */
  avgWaitVsBound: number;
  p95WaitVsBound: number;
  avgTripVsBound: number;
  /** Runs left out of the /LB averages because their bound was 0 while they waited (no ratio). */
  zeroBoundRuns: number;
  /** Average trip over the strategy-independent bound (`fleetBoundAvgTripS`), mean over runs. */
  avgTripVsFleetBound: number;
  /** This assigner's average and p95 wait as a ratio to the reference's in the same cell. */
  avgWaitVsReference: number | null;
  p95WaitVsReference: number | null;
  /** The same against `reference+park`. */
  avgWaitVsReferencePark: number | null;
  p95WaitVsReferencePark: number | null;
  /** The spread across seeds: each seed's average (over intensities) avg and p95 wait, min and max. */
  seedAvgWaitMinS: number;
  seedAvgWaitMaxS: number;
  seedP95WaitMinS: number;
  seedP95WaitMaxS: number;
}

/** How a strategy fares against one baseline over all cells (ratios < 1: better). */
export interface BaselineComparison {
  baseline: string;
  meanAvgWaitRatio: number;
  meanP95WaitRatio: number;
  /** The worst cell (highest avg or p95 ratio, whichever is higher), and that ratio. */
  worstRatio: number;
  worstCell: string;
  /** Cells where it beats the baseline on both average and p95 wait. */
  cellsWon: number;
}

/** Energy per building size against the reference: floors and stops summed over the size's cells. */
export interface SizeEnergy {
  size: string;
  floorsRatio: number;
  stopsRatio: number;
}

/** How an assigner fares against the reference over all cells. */
export interface AssignerSummary {
  assigner: string;
  /** Mean over cells of (this / reference): below 1 is better. */
  meanAvgWaitRatio: number;
  meanP95WaitRatio: number;
  /** The worst cell's avg-wait ratio, and that cell. */
  worstAvgWaitRatio: number;
  worstCell: string;
  /** Cells where it beats the reference on both average and p95 wait. */
  cellsWon: string[];
  meanFlipsPer100Calls: number;
  /** Mean over cells of (this / reference) floors travelled (energy) and door stops. */
  meanFloorsRatio: number;
  meanStopsRatio: number;
  /** Per run, on average: parking cars given another park floor on the way, and turned back. */
  meanParkRetargets: number;
  meanParkTurnbacks: number;
  meanAssignMs: number;
  /** The worst cell's 99th percentile of compute time, and the single slowest call. */
  p99AssignMs: number;
  maxAssignMs: number;
  /** Against each baseline of {@link BASELINES} that was run. */
  vsBaselines: BaselineComparison[];
  /** Floors and stops per size against the reference (absent sizes: no reference run). */
  energyBySize: SizeEnergy[];
}

export interface BenchResult {
  config: BenchConfig;
  runs: RunResult[];
  cells: CellResult[];
  summaries: AssignerSummary[];
  wallMs: number;
}

/** The label of a cell, e.g. `4x10 up-peak`. */
export function cellLabel(c: { cars: number; floors: number; pattern: string }): string {
  return `${c.cars}x${c.floors} ${c.pattern}`;
}

/** `a / b`; at a zero `b`, 1 if `a` is 0 too (at the bound), else NaN (no finite ratio). */
function ratio(a: number, b: number): number {
  if (b > 0) return a / b;
  return a === 0 ? 1 : Number.NaN;
}

function meanOf<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + f(x), 0) / xs.length;
}

/** The mean of the finite values of `f` over `xs` (NaN if there is none). */
function meanFinite<T>(xs: readonly T[], f: (x: T) => number): number {
  const vals = xs.map(f).filter(Number.isFinite);
  return vals.length === 0 ? Number.NaN : vals.reduce((a, b) => a + b, 0) / vals.length;
}

/** Each seed's mean of `f` over its runs, then the min and max over seeds. */
function seedSpread(runs: readonly RunResult[], f: (m: RunMetrics) => number): [number, number] {
  const bySeed = new Map<number, number[]>();
  for (const r of runs) {
    const list = bySeed.get(r.seed) ?? [];
    list.push(f(r.metrics));
    bySeed.set(r.seed, list);
  }
  const means = [...bySeed.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  return means.length === 0 ? [0, 0] : [Math.min(...means), Math.max(...means)];
}

/** Averages runs' metrics (max-type figures take the maximum). */
export function averageMetrics(ms: readonly RunMetrics[]): RunMetrics {
  const avg = (f: (m: RunMetrics) => number) => meanOf(ms, f);
  const max = (f: (m: RunMetrics) => number) => Math.max(0, ...ms.map(f));
  return {
    passengers: avg((m) => m.passengers),
    unserved: avg((m) => m.unserved),
    avgWaitS: avg((m) => m.avgWaitS),
    p95WaitS: avg((m) => m.p95WaitS),
    maxWaitS: max((m) => m.maxWaitS),
    over60Share: avg((m) => m.over60Share),
    avgTripS: avg((m) => m.avgTripS),
    boundAvgWaitS: avg((m) => m.boundAvgWaitS),
    boundP95WaitS: avg((m) => m.boundP95WaitS),
    boundAvgTripS: avg((m) => m.boundAvgTripS),
    fleetBoundAvgWaitS: avg((m) => m.fleetBoundAvgWaitS),
    fleetBoundAvgTripS: avg((m) => m.fleetBoundAvgTripS),
    floorsTravelled: avg((m) => m.floorsTravelled),
    stops: avg((m) => m.stops),
    hallCallsPressed: avg((m) => m.hallCallsPressed),
    flips: avg((m) => m.flips),
    flipsPer100Calls: avg((m) => m.flipsPer100Calls),
    parkRetargets: avg((m) => m.parkRetargets),
    parkTurnbacks: avg((m) => m.parkTurnbacks),
    assignCalls: avg((m) => m.assignCalls),
    assignMeanMs: avg((m) => m.assignMeanMs),
    assignP99Ms: max((m) => m.assignP99Ms),
    assignMaxMs: max((m) => m.assignMaxMs),
  };
}

/** `mine` (one strategy's cells) against `baseline`'s cells. */
function compareWith(
  cells: readonly CellResult[],
  mine: readonly CellResult[],
  baseline: string,
): BaselineComparison {
  const pairs = mine.flatMap((c) => {
    const b = cells.find((x) => x.assigner === baseline && cellLabel(x) === cellLabel(c));
    return b === undefined
      ? []
      : [
          {
            label: cellLabel(c),
            avg: ratio(c.metrics.avgWaitS, b.metrics.avgWaitS),
            p95: ratio(c.metrics.p95WaitS, b.metrics.p95WaitS),
          },
        ];
  });
  let worst = { label: '', r: 0 };
  for (const p of pairs) {
    const r = Math.max(p.avg, p.p95);
    if (r > worst.r) worst = { label: p.label, r };
  }
  return {
    baseline,
    meanAvgWaitRatio: meanFinite(pairs, (p) => p.avg),
    meanP95WaitRatio: meanFinite(pairs, (p) => p.p95),
    worstRatio: worst.r,
    worstCell: worst.label,
    cellsWon: pairs.filter((p) => p.avg < 1 && p.p95 <= 1).length,
  };
}

/** Runs one simulation of the benchmark. */
export function runOne(
  config: BenchConfig,
  size: BuildingSize,
  pattern: TrafficPattern,
  intensity: number,
  seed: number,
  assignerName: string,
  assign?: Assigner,
): RunResult {
  const passengers = generateTraffic({
    pattern,
    cars: size.cars,
    floors: size.floors,
    intensity,
    durationMs: config.durationMs,
    seed,
    timings: {
      floorMs: REFERENCE_TIMINGS.travelMs + REFERENCE_TIMINGS.passingMs,
      doorMs: REFERENCE_TIMINGS.doorOpenMs,
    },
  });
  const trace = runStrategySim(
    assignerName,
    {
      cars: size.cars,
      floors: size.floors,
      passengers,
      maxTimeMs: config.durationMs + config.drainMs,
      capacity: config.capacity,
    },
    assign,
  );
  return {
    ...size,
    pattern,
    intensity,
    seed,
    assigner: assignerName,
    metrics: computeRunMetrics(trace, config.warmupMs, config.durationMs),
    waitsS: measuredWaits(trace, config.warmupMs, config.durationMs),
  };
}

/** Aggregates runs into cells and per-assigner summaries. */
export function aggregate(config: BenchConfig, runs: RunResult[]): Omit<BenchResult, 'wallMs'> {
  const cells: CellResult[] = [];
  for (const size of config.sizes) {
    for (const pattern of config.patterns) {
      const inCell = runs.filter(
        (r) => r.cars === size.cars && r.floors === size.floors && r.pattern === pattern,
      );
      const baseline = (name: string): RunMetrics | null => {
        const runsOf = inCell.filter((r) => r.assigner === name);
        return runsOf.length > 0 ? averageMetrics(runsOf.map((r) => r.metrics)) : null;
      };
      const refMetrics = baseline('reference');
      const parkMetrics = baseline('reference+park');
      for (const assigner of config.assigners) {
        const mine = inCell.filter((r) => r.assigner === assigner);
        if (mine.length === 0) continue;
        const metrics = averageMetrics(mine.map((r) => r.metrics));
        const [avgMin, avgMax] = seedSpread(mine, (m) => m.avgWaitS);
        const [p95Min, p95Max] = seedSpread(mine, (m) => m.p95WaitS);
        cells.push({
          ...size,
          pattern,
          assigner,
          runs: mine.length,
          metrics,
          avgWaitVsBound: meanFinite(mine, (r) =>
            ratio(r.metrics.avgWaitS, r.metrics.boundAvgWaitS),
          ),
          p95WaitVsBound: meanFinite(mine, (r) =>
            ratio(r.metrics.p95WaitS, r.metrics.boundP95WaitS),
          ),
          avgTripVsBound: meanFinite(mine, (r) =>
            ratio(r.metrics.avgTripS, r.metrics.boundAvgTripS),
          ),
          zeroBoundRuns: mine.filter(
            (r) => !Number.isFinite(ratio(r.metrics.avgWaitS, r.metrics.boundAvgWaitS)),
          ).length,
          avgTripVsFleetBound: meanFinite(mine, (r) =>
            ratio(r.metrics.avgTripS, r.metrics.fleetBoundAvgTripS),
          ),
          avgWaitVsReference:
            refMetrics === null ? null : ratio(metrics.avgWaitS, refMetrics.avgWaitS),
          p95WaitVsReference:
            refMetrics === null ? null : ratio(metrics.p95WaitS, refMetrics.p95WaitS),
          avgWaitVsReferencePark:
            parkMetrics === null ? null : ratio(metrics.avgWaitS, parkMetrics.avgWaitS),
          p95WaitVsReferencePark:
            parkMetrics === null ? null : ratio(metrics.p95WaitS, parkMetrics.p95WaitS),
          seedAvgWaitMinS: avgMin,
          seedAvgWaitMaxS: avgMax,
          seedP95WaitMinS: p95Min,
          seedP95WaitMaxS: p95Max,
        });
      }
    }
  }
  const summaries: AssignerSummary[] = config.assigners.map((assigner) => {
    const mine = cells.filter((c) => c.assigner === assigner);
    const vsRef = mine.filter((c) => c.avgWaitVsReference !== null);
    let worst = vsRef[0];
    for (const c of vsRef)
      if ((c.avgWaitVsReference ?? 0) > (worst?.avgWaitVsReference ?? 0)) worst = c;
    return {
      assigner,
      meanAvgWaitRatio: meanOf(vsRef, (c) => c.avgWaitVsReference ?? 1),
      meanP95WaitRatio: meanOf(vsRef, (c) => c.p95WaitVsReference ?? 1),
      worstAvgWaitRatio: worst?.avgWaitVsReference ?? 1,
      worstCell: worst === undefined ? '' : cellLabel(worst),
      cellsWon: vsRef
        .filter((c) => (c.avgWaitVsReference ?? 1) < 1 && (c.p95WaitVsReference ?? 1) <= 1)
        .map(cellLabel),
      meanFlipsPer100Calls: meanOf(mine, (c) => c.metrics.flipsPer100Calls),
      meanFloorsRatio: meanOf(vsRef, (c) => {
        const ref = cells.find((r) => r.assigner === 'reference' && cellLabel(r) === cellLabel(c));
        return ref === undefined
          ? 1
          : ratio(c.metrics.floorsTravelled, ref.metrics.floorsTravelled);
      }),
      meanStopsRatio: meanOf(vsRef, (c) => {
        const ref = cells.find((r) => r.assigner === 'reference' && cellLabel(r) === cellLabel(c));
        return ref === undefined ? 1 : ratio(c.metrics.stops, ref.metrics.stops);
      }),
      meanParkRetargets: meanOf(mine, (c) => c.metrics.parkRetargets),
      meanParkTurnbacks: meanOf(mine, (c) => c.metrics.parkTurnbacks),
      meanAssignMs: meanOf(mine, (c) => c.metrics.assignMeanMs),
      p99AssignMs: Math.max(0, ...mine.map((c) => c.metrics.assignP99Ms)),
      maxAssignMs: Math.max(0, ...mine.map((c) => c.metrics.assignMaxMs)),
      vsBaselines: BASELINES.filter((b) => config.assigners.includes(b)).map((b) =>
        compareWith(cells, mine, b),
      ),
      energyBySize: config.sizes.flatMap((size) => {
        const label = `${size.cars}x${size.floors}`;
        const inSize = (c: CellResult) => c.cars === size.cars && c.floors === size.floors;
        const ref = cells.filter((c) => c.assigner === 'reference' && inSize(c));
        const own = mine.filter(inSize);
        if (ref.length === 0 || own.length === 0) return [];
        const sum = (cs: CellResult[], f: (m: RunMetrics) => number) =>
          cs.reduce((t, c) => t + f(c.metrics), 0);
        return [
          {
            size: label,
            floorsRatio: ratio(
              sum(own, (m) => m.floorsTravelled),
              sum(ref, (m) => m.floorsTravelled),
            ),
            stopsRatio: ratio(
              sum(own, (m) => m.stops),
              sum(ref, (m) => m.stops),
            ),
          },
        ];
      }),
    };
  });
  return { config, runs, cells, summaries };
}

/** Every run of `config`, in order: sizes, patterns, intensities, seeds, assigners. */
export function plannedRuns(config: BenchConfig): {
  size: BuildingSize;
  pattern: TrafficPattern;
  intensity: number;
  seed: number;
  assigner: string;
}[] {
  const out = [];
  for (const size of config.sizes)
    for (const pattern of config.patterns)
      for (const intensity of config.intensities)
        for (const seed of config.seeds)
          for (const assigner of config.assigners)
            out.push({ size, pattern, intensity, seed, assigner });
  return out;
}

/**
 * Runs the whole benchmark. `onProgress` is called after each run; the event loop gets a turn
 * between runs so a progress bar can draw.
 */
export async function runBench(
  config: BenchConfig,
  onProgress: (done: number, total: number, label: string) => void = () => {},
): Promise<BenchResult> {
  const start = performance.now();
  const plan = plannedRuns(config);
  const assigners = new Map(config.assigners.map((name) => [name, createDispatch(name).assign]));
  // Warm the JIT up on each assigner first, so the measured compute times are steady-state ones.
  for (const [name, assign] of assigners) {
    const size = config.sizes.reduce((a, b) => (b.cars * b.floors > a.cars * a.floors ? b : a));
    const warm = { ...config, durationMs: 90_000, warmupMs: 0, drainMs: 60_000 };
    runOne(warm, size, 'interfloor', 1, 0xbeef, name, assign);
  }
  const runs: RunResult[] = [];
  for (const [i, p] of plan.entries()) {
    runs.push(
      runOne(config, p.size, p.pattern, p.intensity, p.seed, p.assigner, assigners.get(p.assigner)),
    );
    onProgress(
      i + 1,
      plan.length,
      `${cellLabel({ ...p.size, pattern: p.pattern })} x${p.intensity} ${p.assigner}`,
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { ...aggregate(config, runs), wallMs: performance.now() - start };
}
