/**
 * Seeded passenger traffic for the dispatch benchmark: who arrives when, where from and where to.
 *
 * Arrivals are a Poisson process. The rate is given as an intensity relative to the building's
 * nominal handling capacity (see {@link nominalCapacityPerMinute}), so "0.5" means the same
 * relative load in a 2x4 and in a 16x50 building.
 */
import { BenchRandom } from './bench-random.js';

/** The traffic patterns of the benchmark. */
export type TrafficPattern = 'up-peak' | 'down-peak' | 'lunch' | 'interfloor';

/** Every pattern, in table order. */
export const TRAFFIC_PATTERNS: readonly TrafficPattern[] = [
  'up-peak',
  'down-peak',
  'lunch',
  'interfloor',
];

/** One passenger: appears at `origin` at `time` (ms), wants to go to `destination`. */
export interface Passenger {
  id: number;
  time: number;
  origin: number;
  destination: number;
}

/** The lobby: floor 0. */
const LOBBY = 0;

/** A uniformly chosen floor other than the lobby. */
function upperFloor(rng: BenchRandom, floors: number): number {
  return 1 + rng.int(floors - 1);
}

/** A uniformly chosen pair of distinct floors. */
function interfloorTrip(rng: BenchRandom, floors: number): [number, number] {
  const origin = rng.int(floors);
  let destination = rng.int(floors - 1);
  if (destination >= origin) destination++;
  return [origin, destination];
}

/**
 * The mix of each pattern, as shares of trips from the lobby, to the lobby, and between two floors
 * (uniform). Up-peak: the morning (most start at the lobby and go up); down-peak: the evening;
 * lunch: two-way to and from the lobby; interfloor: no lobby bias at all.
 */
export const PATTERN_MIX: Record<TrafficPattern, { fromLobby: number; toLobby: number }> = {
  'up-peak': { fromLobby: 0.85, toLobby: 0.05 },
  'down-peak': { fromLobby: 0.05, toLobby: 0.85 },
  lunch: { fromLobby: 0.4, toLobby: 0.4 },
  interfloor: { fromLobby: 0, toLobby: 0 },
};

/** Draws one trip of `pattern` in a building of `floors` floors. */
export function drawTrip(
  rng: BenchRandom,
  pattern: TrafficPattern,
  floors: number,
): [number, number] {
  const mix = PATTERN_MIX[pattern];
  const u = rng.next();
  if (u < mix.fromLobby) return [LOBBY, upperFloor(rng, floors)];
  if (u < mix.fromLobby + mix.toLobby) return [upperFloor(rng, floors), LOBBY];
  return interfloorTrip(rng, floors);
}

/** Physical constants the capacity estimate uses (the reference car: 2.5 s a floor, 3 s door). */
export interface CapacityTimings {
  floorMs: number;
  doorMs: number;
}

/**
 * The building's nominal handling capacity for `pattern`, in passengers per minute: every car
 * serving one passenger at a time, each trip costing two door cycles plus the mean ride distance
 * twice (once empty to the passenger, once with them): `cars * 60 s / (2 door + 2 * floorTime *
 * E|origin - destination|)`. Collective control carries several passengers per trip, so real
 * saturation lies somewhat above intensity 1; intensity 1 is "near saturation", 0.2 is light.
 * The mean distance is computed exactly from the pattern's mix.
 */
export function nominalCapacityPerMinute(
  pattern: TrafficPattern,
  cars: number,
  floors: number,
  t: CapacityTimings,
): number {
  const mix = PATTERN_MIX[pattern];
  // Lobby trips: uniform over 1..floors-1, mean distance floors/2.
  const lobbyDistance = floors / 2;
  // Interfloor: mean |i - j| over distinct pairs of 0..floors-1 is (floors + 1) / 3.
  const interDistance = (floors + 1) / 3;
  const inter = 1 - mix.fromLobby - mix.toLobby;
  const meanDistance = (mix.fromLobby + mix.toLobby) * lobbyDistance + inter * interDistance;
  const tripMs = 2 * t.doorMs + 2 * t.floorMs * meanDistance;
  return (cars * 60_000) / tripMs;
}

/** What to generate. */
export interface TrafficSpec {
  pattern: TrafficPattern;
  cars: number;
  floors: number;
  /** Arrival rate relative to {@link nominalCapacityPerMinute}. */
  intensity: number;
  /** Arrivals happen in [0, durationMs). */
  durationMs: number;
  seed: number;
  timings: CapacityTimings;
}

/** The passengers of one run, sorted by arrival time. Same spec, same list. */
export function generateTraffic(spec: TrafficSpec): Passenger[] {
  const rng = new BenchRandom(spec.seed);
  const perMinute =
    spec.intensity * nominalCapacityPerMinute(spec.pattern, spec.cars, spec.floors, spec.timings);
  const meanGapMs = 60_000 / perMinute;
  const out: Passenger[] = [];
  for (let time = rng.exponential(meanGapMs); time < spec.durationMs;) {
    const [origin, destination] = drawTrip(rng, spec.pattern, spec.floors);
    // Whole milliseconds keep traces readable and runs exactly reproducible.
    out.push({ id: out.length, time: Math.round(time), origin, destination });
    time += rng.exponential(meanGapMs);
  }
  return out;
}
