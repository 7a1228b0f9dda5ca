/**
 * The offline optimum is what a hand calculation gives on tiny traces, what an independent
 * exhaustive search over time steps gives on random tiny traces, and never above what any
 * strategy achieves in the benchmark's building.
 */
import { describe, expect, it } from 'vitest';
import { DISPATCH_NAMES } from '../core/assigner/dispatch.js';
import { BenchRandom } from './bench-random.js';
import { REFERENCE_TIMINGS, runStrategySim, spreadStartFloors } from './building-sim.js';
import { offlineOptimum, type OptimumProblem, type TripPassenger } from './offline-optimum.js';
import { generateTraffic, TRAFFIC_PATTERNS } from './traffic.js';

const FLOOR_MS = REFERENCE_TIMINGS.travelMs + REFERENCE_TIMINGS.passingMs;
const DOOR_MS = REFERENCE_TIMINGS.doorOpenMs;

const problem = (
  startFloors: number[],
  passengers: TripPassenger[],
  floors = 4,
): OptimumProblem => ({ floors, startFloors, passengers, floorMs: FLOOR_MS, doorMs: DOOR_MS });

describe('the offline optimum, by hand (floor 2.5 s, door 3 s)', () => {
  it('one car at 0, one passenger 0 -> 3 at t = 0: door 3 s, then 3 floors: 10.5 s', () => {
    const r = offlineOptimum(problem([0], [{ time: 0, origin: 0, destination: 3 }]));
    expect(r).toMatchObject({ totalTripMs: 10_500, tripsMs: [10_500], exact: true });
  });

  it('a car that knows the press is already there with its door open: 2 -> 0 at t = 10 s takes 5 s', () => {
    // The car reaches floor 2 at 5 s, opens at 7 s so the passenger walks in at 10 s as the door
    // time ends, and is at floor 0 two floors later: 15 s, 5 s after the press.
    const r = offlineOptimum(problem([0], [{ time: 10_000, origin: 2, destination: 0 }]));
    expect(r).toMatchObject({ totalTripMs: 5_000, tripsMs: [5_000], exact: true });
  });

  it('one car at 0, 0 -> 3 and 3 -> 0 both at t = 0: the one at the car first, 10.5 + 21 s', () => {
    // First 0 -> 3: stop at 0 (0 s), at 3 at 10.5 s (it alights, 3 -> 0 boards), door until
    // 13.5 s, at 0 at 21 s. The other order: at 3 at 7.5 s, at 0 at 18 s, back at 3 at 28.5 s:
    // 46.5 s in all.
    const r = offlineOptimum(
      problem(
        [0],
        [
          { time: 0, origin: 0, destination: 3 },
          { time: 0, origin: 3, destination: 0 },
        ],
      ),
    );
    expect(r).toMatchObject({ totalTripMs: 31_500, tripsMs: [10_500, 21_000], exact: true });
  });

  it('the same two with a car at each end: each takes its own, 10.5 s each', () => {
    const r = offlineOptimum(
      problem(
        [0, 3],
        [
          { time: 0, origin: 0, destination: 3 },
          { time: 0, origin: 3, destination: 0 },
        ],
      ),
    );
    expect(r).toMatchObject({ totalTripMs: 21_000, tripsMs: [10_500, 10_500], exact: true });
  });

  it('two passengers of one car share a stop: 0 -> 2 at 0 s and 1 -> 3 at 1 s', () => {
    // Stop at 0 (0 s), at 1 at 5.5 s: the second walks in (pressed at 1 s); door to 8.5 s; at 2 at
    // 11 s (first alights: 11 s), door to 14 s, at 3 at 16.5 s (15.5 s after its press).
    // Skipping floor 1 would deliver the first at 8 s but leave the second for a second trip.
    const r = offlineOptimum(
      problem(
        [0],
        [
          { time: 0, origin: 0, destination: 2 },
          { time: 1000, origin: 1, destination: 3 },
        ],
      ),
    );
    expect(r).toMatchObject({ totalTripMs: 26_500, tripsMs: [11_000, 15_500], exact: true });
  });

  it('rejects what is not a trip', () => {
    expect(() => offlineOptimum(problem([0], [{ time: 0, origin: 1, destination: 1 }]))).toThrow(
      /to itself/,
    );
    expect(() => offlineOptimum(problem([0], [{ time: 0, origin: 0, destination: 4 }]))).toThrow(
      /outside/,
    );
    expect(() => offlineOptimum(problem([], []))).toThrow(/at least one car/);
  });
});

/**
 * The relaxation searched again, independently: time in whole steps, every car choosing every step
 * to wait, move one floor, or open its door (riders of the floor alight; any subset of the waiting
 * passengers who press by the door's end boards). A passenger's time to destination is counted one
 * step at a time (each step from their press until they alight costs 1), so the least total is a
 * shortest path over states (step, floors, steps each car is still busy, where each passenger is),
 * found by a bucket queue; after the last press plus a door time the step no longer matters and is
 * left out of the state. No candidate stop times, no ordering of stops, no boarding groups, no
 * bound: the shortcuts of `offlineOptimum` are what this checks.
 */
function stepOracle(p: OptimumProblem): number {
  const n = p.passengers.length;
  const cars = p.startFloors.length;
  const settle = Math.max(...p.passengers.map((q) => q.time)) + p.doorMs;
  interface State {
    t: number;
    pos: number[];
    rem: number[];
    where: number[];
  }
  const keyOf = (s: State): string =>
    `${Math.min(s.t, settle)}|${s.pos.join(',')}|${s.rem.join(',')}|${s.where.join(',')}`;
  const done = new Set<string>();
  const buckets: State[][] = [];
  const push = (d: number, s: State): void => {
    (buckets[d] ??= []).push(s);
  };
  push(0, {
    t: 0,
    pos: [...p.startFloors],
    rem: p.startFloors.map(() => 0),
    where: p.passengers.map(() => -1),
  });
  for (let d = 0; d < buckets.length; d++) {
    for (const s of buckets[d] ?? []) {
      const key = keyOf(s);
      if (done.has(key)) continue;
      done.add(key);
      if (s.where.every((w) => w === -2)) return d;
      // Every car's choice this step, car by car; then the step's cost.
      const choose = (c: number, pos: number[], rem: number[], where: number[]): void => {
        if (c === cars) {
          let cost = 0;
          for (let i = 0; i < n; i++) if (where[i] !== -2 && p.passengers[i]!.time <= s.t) cost++;
          push(d + cost, { t: s.t + 1, pos, rem, where });
          return;
        }
        if (s.rem[c]! > 0) {
          const r = [...rem];
          r[c] = s.rem[c]! - 1;
          choose(c + 1, pos, r, where);
          return;
        }
        const f = s.pos[c]!;
        choose(c + 1, pos, rem, where);
        for (const g of [f - 1, f + 1]) {
          if (g < 0 || g >= p.floors) continue;
          const np = [...pos];
          np[c] = g;
          const r = [...rem];
          r[c] = p.floorMs - 1;
          choose(c + 1, np, r, where);
        }
        const alighted = where.map((w, i) =>
          w === c && p.passengers[i]!.destination === f ? -2 : w,
        );
        const can: number[] = [];
        for (let i = 0; i < n; i++) {
          const q = p.passengers[i]!;
          if (alighted[i] === -1 && q.origin === f && q.time <= s.t + p.doorMs) can.push(i);
        }
        for (let mask = 0; mask < 1 << can.length; mask++) {
          const w2 = [...alighted];
          can.forEach((i, k) => {
            if ((mask >> k) & 1) w2[i] = c;
          });
          const r = [...rem];
          r[c] = p.doorMs - 1;
          choose(c + 1, pos, r, w2);
        }
      };
      choose(0, s.pos, s.rem, s.where);
    }
    buckets[d] = [];
  }
  throw new Error('stepOracle: no schedule delivers everyone');
}

describe('the offline optimum against an exhaustive search over time steps', () => {
  it('agrees on 300 random tiny traces (1-2 cars, 3-5 floors, 1-5 passengers)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new BenchRandom(seed);
      const floors = 3 + Math.floor(rng.next() * 3);
      const cars = 1 + Math.floor(rng.next() * 2);
      const count = 1 + Math.floor(rng.next() * 5);
      const passengers: TripPassenger[] = [];
      for (let i = 0; i < count; i++) {
        const origin = Math.floor(rng.next() * floors);
        let destination = Math.floor(rng.next() * (floors - 1));
        if (destination >= origin) destination++;
        passengers.push({ time: Math.floor(rng.next() * 8), origin, destination });
      }
      passengers.sort((a, b) => a.time - b.time);
      const startFloors = Array.from({ length: cars }, () => Math.floor(rng.next() * floors));
      const doorMs = 1 + Math.floor(rng.next() * 2);
      const prob: OptimumProblem = { floors, startFloors, passengers, floorMs: 1, doorMs };
      const exact = offlineOptimum(prob);
      const oracle = stepOracle(prob);
      expect(exact.exact, `seed ${seed}`).toBe(true);
      expect(exact.totalTripMs, `seed ${seed}: ${JSON.stringify(prob)}`).toBe(oracle);
      // The trips it reports add up to the total and each is at least the direct ride.
      expect(
        exact.tripsMs.reduce((a, b) => a + b, 0),
        `seed ${seed}`,
      ).toBe(exact.totalTripMs);
      exact.tripsMs.forEach((trip, i) => {
        const q = passengers[i]!;
        expect(trip, `seed ${seed}`).toBeGreaterThanOrEqual(Math.abs(q.destination - q.origin));
      });
    }
  });
});

describe('the offline optimum against the strategies', () => {
  for (const pattern of TRAFFIC_PATTERNS) {
    it(`is never above any strategy's total time to destination (2 cars x 4 floors, ${pattern}, seeds 1-3)`, () => {
      for (let seed = 1; seed <= 3; seed++) {
        const passengers = generateTraffic({
          pattern,
          cars: 2,
          floors: 4,
          intensity: 0.6,
          durationMs: 40_000,
          seed,
          timings: { floorMs: FLOOR_MS, doorMs: DOOR_MS },
        });
        const startFloors = spreadStartFloors(2, 4);
        const opt = offlineOptimum(problem(startFloors, passengers));
        expect(opt.exact, `seed ${seed}`).toBe(true);
        for (const name of DISPATCH_NAMES) {
          const t = runStrategySim(name, {
            cars: 2,
            floors: 4,
            passengers,
            startFloors,
            maxTimeMs: 3_600_000,
            wallClock: () => 0,
          });
          const total = t.passengers.reduce((sum, q) => sum + (q.alightAt! - q.time), 0);
          expect(total, `${name}, seed ${seed}`).toBeGreaterThanOrEqual(opt.totalTripMs);
        }
      }
    });
  }
});
