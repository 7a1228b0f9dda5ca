/**
 * The benchmark's "ratio to optimum": on short traces of small buildings, every strategy's total
 * time to destination divided by the exact offline optimum of the same trace
 * (`offline-optimum.ts`: what a controller that knew every passenger in advance could reach in a
 * relaxation of the building). The bound does not depend on the strategy under test; a trace whose
 * search does not finish within the node budget is counted and left out, never reported with an
 * inexact optimum.
 */
import type { BenchConfig, BuildingSize } from './bench-runner.js';
import { REFERENCE_TIMINGS, runStrategySim, spreadStartFloors } from './building-sim.js';
import { offlineOptimum } from './offline-optimum.js';
import type { TrafficPattern } from './traffic.js';
import { generateTraffic } from './traffic.js';

/** What to run: one trace per (size, pattern, seed), every assigner on each. */
export interface OptimumConfig {
  sizes: BuildingSize[];
  patterns: TrafficPattern[];
  /** Arrival rate relative to the nominal handling capacity. */
  intensity: number;
  seeds: number[];
  /** Arrivals happen in [0, durationMs); every passenger counts (no warm-up). */
  durationMs: number;
  assigners: string[];
  capacity: number;
  /** Search nodes per trace before the optimum is given up as not exact. */
  maxNodes: number;
}

/** The default section: 2-minute traces at 0.7 of capacity in the two smallest buildings. */
export const DEFAULT_OPTIMUM_CONFIG: Readonly<Omit<OptimumConfig, 'assigners' | 'capacity'>> =
  Object.freeze({
    sizes: [
      { cars: 2, floors: 4 },
      { cars: 3, floors: 4 },
    ],
    patterns: ['up-peak', 'down-peak', 'lunch', 'interfloor'] as TrafficPattern[],
    intensity: 0.7,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8],
    durationMs: 2 * 60_000,
    maxNodes: 300_000,
  });

/**
 * The section for a benchmark run: its sizes small enough for the exact search (at most 3 cars and
 * 4 floors), its patterns, seeds and assigners, on the default short traces; null if none is.
 */
export function optimumConfigFor(bench: BenchConfig): OptimumConfig | null {
  const sizes = bench.sizes.filter((s) => s.cars <= 3 && s.floors <= 4);
  if (sizes.length === 0) return null;
  return {
    ...DEFAULT_OPTIMUM_CONFIG,
    sizes,
    patterns: bench.patterns,
    seeds: bench.seeds,
    assigners: bench.assigners,
    capacity: bench.capacity,
  };
}

/** One trace: its optimum and each strategy's total time to destination. */
export interface OptimumTrace {
  cars: number;
  floors: number;
  pattern: TrafficPattern;
  seed: number;
  passengers: number;
  /** The search finished: `optimumMs` is the optimum (else the best schedule found). */
  exact: boolean;
  nodes: number;
  optimumMs: number;
  /** Each assigner's total time to destination (ms); absent if it left a passenger unserved. */
  totalsMs: Record<string, number | null>;
}

/** Per size and assigner, over the exactly solved traces. */
export interface OptimumSummary {
  cars: number;
  floors: number;
  assigner: string;
  /** Traces run, and traces solved exactly (the ratios are over those). */
  traces: number;
  exact: number;
  meanRatio: number;
  minRatio: number;
  maxRatio: number;
}

export interface OptimumResult {
  config: OptimumConfig;
  traces: OptimumTrace[];
  summaries: OptimumSummary[];
}

/** Solves one trace and runs every assigner on it (the same start floors as the optimum). */
export function runOptimumTrace(
  config: OptimumConfig,
  size: BuildingSize,
  pattern: TrafficPattern,
  seed: number,
): OptimumTrace {
  const floorMs = REFERENCE_TIMINGS.travelMs + REFERENCE_TIMINGS.passingMs;
  const doorMs = REFERENCE_TIMINGS.doorOpenMs;
  const passengers = generateTraffic({
    pattern,
    cars: size.cars,
    floors: size.floors,
    intensity: config.intensity,
    durationMs: config.durationMs,
    seed,
    timings: { floorMs, doorMs },
  });
  const startFloors = spreadStartFloors(size.cars, size.floors);
  const opt = offlineOptimum(
    { floors: size.floors, startFloors, passengers, floorMs, doorMs },
    config.maxNodes,
  );
  const totalsMs: Record<string, number | null> = {};
  for (const name of config.assigners) {
    const trace = runStrategySim(name, {
      cars: size.cars,
      floors: size.floors,
      passengers,
      startFloors,
      capacity: config.capacity,
      maxTimeMs: config.durationMs + 60 * 60_000,
      wallClock: () => 0,
    });
    let total = 0;
    for (const q of trace.passengers) {
      if (q.alightAt === null) {
        total = NaN;
        break;
      }
      total += q.alightAt - q.time;
    }
    totalsMs[name] = Number.isNaN(total) ? null : total;
  }
  return {
    ...size,
    pattern,
    seed,
    passengers: passengers.length,
    exact: opt.exact,
    nodes: opt.nodes,
    optimumMs: opt.totalTripMs,
    totalsMs,
  };
}

/** A trace the ratios count: solved exactly, with someone in it. */
const isSolved = (t: OptimumTrace): boolean => t.exact && t.passengers > 0;

/** Per size and assigner: the ratios over the exactly solved traces with every passenger served. */
export function summariseOptimum(config: OptimumConfig, traces: OptimumTrace[]): OptimumSummary[] {
  const out: OptimumSummary[] = [];
  for (const size of config.sizes) {
    const mine = traces.filter((t) => t.cars === size.cars && t.floors === size.floors);
    const solved = mine.filter(isSolved);
    for (const assigner of config.assigners) {
      const ratios = solved.flatMap((t) => {
        const total = t.totalsMs[assigner];
        return total === null || total === undefined ? [] : [total / t.optimumMs];
      });
      out.push({
        ...size,
        assigner,
        traces: mine.length,
        exact: ratios.length,
        meanRatio: ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : NaN,
        minRatio: ratios.length ? Math.min(...ratios) : NaN,
        maxRatio: ratios.length ? Math.max(...ratios) : NaN,
      });
    }
  }
  return out;
}

/** Runs the section; `onProgress` after each trace (the event loop gets a turn between traces). */
export async function runOptimumSection(
  config: OptimumConfig,
  onProgress: (done: number, total: number, label: string) => void = () => {},
): Promise<OptimumResult> {
  const plan = config.sizes.flatMap((size) =>
    config.patterns.flatMap((pattern) => config.seeds.map((seed) => ({ size, pattern, seed }))),
  );
  const traces: OptimumTrace[] = [];
  for (const [i, p] of plan.entries()) {
    traces.push(runOptimumTrace(config, p.size, p.pattern, p.seed));
    onProgress(i + 1, plan.length, `optimum ${p.size.cars}x${p.size.floors} ${p.pattern}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { config, traces, summaries: summariseOptimum(config, traces) };
}

/** The section's table: per size, the solved traces and each assigner's ratio to the optimum. */
export function formatOptimumTable(result: OptimumResult): string {
  const c = result.config;
  const lines = [
    `Ratio to the offline optimum (bound: the exact least total time to destination of a ` +
      `clairvoyant controller in a relaxed building, no capacity, no announced direction; ` +
      `${c.durationMs / 60_000}-minute traces at ${c.intensity} of capacity, ` +
      `${c.patterns.length} patterns x ${c.seeds.length} seeds, ${c.maxNodes} search nodes a trace; ` +
      `only exactly solved traces count). Time to destination / optimum, mean (min-max):`,
  ];
  for (const size of c.sizes) {
    const mine = result.traces.filter((t) => t.cars === size.cars && t.floors === size.floors);
    const solved = mine.filter(isSolved);
    const pax = solved.map((t) => t.passengers);
    lines.push(
      `  ${size.cars}x${size.floors}: ${solved.length} of ${mine.length} traces solved exactly` +
        (pax.length ? ` (${Math.min(...pax)}-${Math.max(...pax)} passengers)` : ''),
    );
    for (const s of result.summaries) {
      if (s.cars !== size.cars || s.floors !== size.floors) continue;
      const r = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(3));
      lines.push(
        `    ${s.assigner.padEnd(16)} x${r(s.meanRatio)} (${r(s.minRatio)}-${r(s.maxRatio)})` +
          (s.exact < solved.length ? `, ${solved.length - s.exact} with a passenger unserved` : ''),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
