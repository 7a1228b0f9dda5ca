/**
 * The figures of one benchmark run, computed from its trace. Only passengers who arrived inside the
 * measurement window count (the start is warm-up: cars begin empty and spread out). A passenger
 * the run never served counts with the run's end as their time, and is reported as unserved.
 */
import type { PassengerRecord, SimTrace } from './building-sim.js';

/** Wait and trip figures in seconds; shares in [0, 1]. */
export interface RunMetrics {
  passengers: number;
  unserved: number;
  avgWaitS: number;
  p95WaitS: number;
  maxWaitS: number;
  /** Share of passengers who waited more than 60 s. */
  over60Share: number;
  /** Average time from the hall call until the door opened at the destination. */
  avgTripS: number;
  /** The lower bound's average wait and p95 wait, and average trip (see `PassengerRecord`). */
  boundAvgWaitS: number;
  boundP95WaitS: number;
  boundAvgTripS: number;
  /**
   * The strategy-independent bound (`PassengerRecord.fleetBoundWaitMs`, `fleetBoundTripMs`): its
   * average wait and average trip. The same for every strategy on the same passengers.
   */
  fleetBoundAvgWaitS: number;
  fleetBoundAvgTripS: number;
  /**
   * Floors travelled by all cars (an energy proxy), and door openings, inside the measurement
   * window (like the waits).
   */
  floorsTravelled: number;
  stops: number;
  hallCallsPressed: number;
  /** Reassignment flips, absolute and per 100 hall calls pressed. */
  flips: number;
  flipsPer100Calls: number;
  /** Parking cars given another park floor on the way, and those of them that turned back. */
  parkRetargets: number;
  parkTurnbacks: number;
  assignCalls: number;
  assignMeanMs: number;
  /** 99th percentile of the assigner's compute time (the max is often one GC pause). */
  assignP99Ms: number;
  assignMaxMs: number;
}

/** Nearest-rank percentile of ascending `sorted` (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Whether a passenger is measured: arrived in [fromMs, untilMs). */
export function isMeasured(p: PassengerRecord, fromMs: number, untilMs: number): boolean {
  return p.time >= fromMs && p.time < untilMs;
}

function countIn(times: readonly number[], fromMs: number, untilMs: number): number {
  let n = 0;
  for (const t of times) if (t >= fromMs && t < untilMs) n++;
  return n;
}

/** The metrics of `trace` over passengers arriving in [fromMs, untilMs). */
export function computeRunMetrics(trace: SimTrace, fromMs: number, untilMs: number): RunMetrics {
  const measured = trace.passengers.filter((p) => isMeasured(p, fromMs, untilMs));
  const waits = measured.map((p) => ((p.boardAt ?? trace.endMs) - p.time) / 1000);
  const trips = measured.map((p) => ((p.alightAt ?? trace.endMs) - p.time) / 1000);
  const bounds = measured.map((p) => p.boundWaitMs / 1000);
  const sortedWaits = [...waits].sort((a, b) => a - b);
  const sortedBounds = [...bounds].sort((a, b) => a - b);
  return {
    passengers: measured.length,
    unserved: measured.filter((p) => p.alightAt === null).length,
    avgWaitS: mean(waits),
    p95WaitS: percentile(sortedWaits, 95),
    maxWaitS: sortedWaits.at(-1) ?? 0,
    over60Share: measured.length === 0 ? 0 : waits.filter((w) => w > 60).length / measured.length,
    avgTripS: mean(trips),
    boundAvgWaitS: mean(bounds),
    boundP95WaitS: percentile(sortedBounds, 95),
    boundAvgTripS: mean(measured.map((p) => p.boundTripMs / 1000)),
    fleetBoundAvgWaitS: mean(measured.map((p) => (p.fleetBoundWaitMs ?? 0) / 1000)),
    fleetBoundAvgTripS: mean(measured.map((p) => (p.fleetBoundTripMs ?? 0) / 1000)),
    floorsTravelled:
      trace.floorArrivalsMs === undefined
        ? trace.cars.reduce((s, c) => s + c.floorsTravelled, 0)
        : countIn(trace.floorArrivalsMs, fromMs, untilMs),
    stops:
      trace.doorOpeningsMs === undefined
        ? trace.cars.reduce((s, c) => s + c.stops, 0)
        : countIn(trace.doorOpeningsMs, fromMs, untilMs),
    hallCallsPressed: trace.hallCallsPressed,
    flips: trace.flips,
    flipsPer100Calls:
      trace.hallCallsPressed === 0 ? 0 : (100 * trace.flips) / trace.hallCallsPressed,
    parkRetargets: trace.parkRetargets,
    parkTurnbacks: trace.parkTurnbacks,
    assignCalls: trace.assignCalls,
    assignMeanMs: trace.assignCalls === 0 ? 0 : trace.assignTotalMs / trace.assignCalls,
    assignP99Ms: percentile(
      [...trace.assignDurationsMs].sort((a, b) => a - b),
      99,
    ),
    assignMaxMs: trace.assignMaxMs,
  };
}

/** The measured passengers' waits in seconds (for distributions). */
export function measuredWaits(trace: SimTrace, fromMs: number, untilMs: number): number[] {
  return trace.passengers
    .filter((p) => isMeasured(p, fromMs, untilMs))
    .map((p) => ((p.boardAt ?? trace.endMs) - p.time) / 1000);
}
