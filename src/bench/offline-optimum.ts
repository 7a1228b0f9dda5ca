/**
 * The exact offline optimum of a small trace, for the dispatch benchmark's "ratio to optimum": the
 * least total time to destination that any controller, knowing every passenger in advance, could
 * reach in a relaxation of the building.
 *
 * The relaxation (what it keeps and what it drops):
 * - Each car starts at rest at its start floor at time 0 and moves at most one floor per `floorMs`
 *   (from rest, the simulator's car takes exactly `travelMs + passingMs` a floor, never less).
 * - A car serves by a stop: its door opens at floor f at time T and stays open `doorMs`, so the car
 *   cannot leave before T + doorMs (the state machine holds every door open that long). At a stop,
 *   the car's riders for f alight (at T), and any of the passengers waiting at f who pressed by
 *   T + doorMs may board (one who arrives while the door is open walks in).
 * - A passenger's time to destination runs from their press to the door opening at their
 *   destination, as in the benchmark.
 * - Dropped: capacity and the direction a car announces (any passenger may board any stop), and
 *   the state machine's order of service. Each only constrains a real car more.
 *
 * So every real run maps to a relaxed schedule (its door openings are the stops, its boardings the
 * boardings) with the same times to destination, and the optimum here is a lower bound of every
 * strategy's total time to destination on the same trace. Waits alone have no useful optimum in
 * this relaxation: a car that knows the future opens its door just before each press, so the
 * optimum of the waits is 0 in all but the busiest traces; the rides are what a car cannot skip.
 *
 * The search: branch and bound over schedules, stops added in order of their time over all cars
 * (any schedule can be listed so), each stop at a time an exchange argument allows (the car's
 * earliest arrival, or one door time before a waiting passenger of that floor presses: a later
 * stop only delays everyone in it), riders alighting at the first stop at their floor, and the
 * passengers of one (origin, destination) boarding together or not at all (splitting them only
 * makes some ride a later car). The bound of a node: each rider alights no sooner than its car can
 * reach its floor, each waiting passenger no sooner than the nearest car can come, hold the door
 * and ride them there; no stop before the last one.
 */

/** One passenger: when they press, where, and where to. */
export interface TripPassenger {
  time: number;
  origin: number;
  destination: number;
}

export interface OptimumProblem {
  floors: number;
  /** Each car's start floor (at rest at time 0). */
  startFloors: readonly number[];
  passengers: readonly TripPassenger[];
  /** The least time a car needs per floor (ms). */
  floorMs: number;
  /** How long a stop holds the car (ms). */
  doorMs: number;
}

export interface OfflineOptimum {
  /**
   * The least total time to destination (ms), press to the door opening at the destination; when
   * not `exact`, the best schedule found (an upper bound of the optimum only).
   */
  totalTripMs: number;
  /** Each passenger's time to destination in that schedule, in input order. */
  tripsMs: number[];
  /** True when the search finished: `totalTripMs` is the optimum. */
  exact: boolean;
  /** Search nodes expanded. */
  nodes: number;
}

/** The search gives up (not exact) after this many nodes unless told otherwise. */
export const DEFAULT_MAX_NODES = 5_000_000;

/** Where a passenger is: waiting, riding car c (c >= 0), or delivered. */
const WAITING = -1;
const DELIVERED = -2;

interface Stop {
  car: number;
  floor: number;
  at: number;
  /** The passengers who board. */
  board: number[];
  /** Cost so far plus the bound after the stop (the search tries the most promising first). */
  estimate: number;
}

/** Solves a trace exactly (within `maxNodes` search nodes). */
export function offlineOptimum(
  problem: OptimumProblem,
  maxNodes: number = DEFAULT_MAX_NODES,
): OfflineOptimum {
  const { floors, floorMs, doorMs } = problem;
  const n = problem.passengers.length;
  const cars = problem.startFloors.length;
  if (cars < 1) throw new RangeError('offlineOptimum: at least one car');
  const checkFloor = (f: number, what: string): void => {
    if (!Number.isInteger(f) || f < 0 || f >= floors)
      throw new RangeError(`offlineOptimum: ${what} ${f} outside 0..${floors - 1}`);
  };
  for (const p of problem.passengers) {
    checkFloor(p.origin, 'floor');
    checkFloor(p.destination, 'floor');
    if (p.origin === p.destination)
      throw new RangeError(`offlineOptimum: a trip from ${p.origin} to itself`);
  }
  for (const f of problem.startFloors) checkFloor(f, 'start floor');
  const press = problem.passengers.map((p) => p.time);
  const origin = problem.passengers.map((p) => p.origin);
  const dest = problem.passengers.map((p) => p.destination);
  // Per floor, its passengers sorted by press time.
  const atFloor: number[][] = Array.from({ length: floors }, () => []);
  for (let i = 0; i < n; i++) atFloor[origin[i]!]!.push(i);
  for (const list of atFloor) list.sort((a, b) => press[a]! - press[b]!);

  const pos = [...problem.startFloors];
  const free = new Array<number>(cars).fill(0);
  const where = new Int32Array(n).fill(WAITING);
  const trip = new Array<number>(n).fill(0);
  let delivered = 0;
  let best = Infinity;
  let bestTrips: number[] = new Array<number>(n).fill(0);
  let nodes = 0;
  let exhausted = false;

  /** The least total time to destination the passengers not yet delivered can still get. */
  const bound = (tLast: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = where[i]!;
      if (w === DELIVERED) continue;
      if (w >= 0) {
        const at = Math.max(tLast, free[w]! + Math.abs(pos[w]! - dest[i]!) * floorMs);
        sum += at - press[i]!;
        continue;
      }
      let reach = Infinity;
      for (let c = 0; c < cars; c++)
        reach = Math.min(reach, free[c]! + Math.abs(pos[c]! - origin[i]!) * floorMs);
      const boardStop = Math.max(reach, tLast, press[i]! - doorMs);
      sum += boardStop + doorMs + Math.abs(dest[i]! - origin[i]!) * floorMs - press[i]!;
    }
    return sum;
  };

  /** Applies a stop; returns what it added to the cost and how to undo it. */
  const apply = (s: Stop): { added: number; undo: () => void } => {
    const [wasAt, wasFree] = [pos[s.car]!, free[s.car]!];
    const alighted: number[] = [];
    let added = 0;
    for (let i = 0; i < n; i++) {
      if (where[i] === s.car && dest[i] === s.floor) {
        where[i] = DELIVERED;
        trip[i] = s.at - press[i]!;
        added += trip[i]!;
        alighted.push(i);
      }
    }
    for (const i of s.board) where[i] = s.car;
    delivered += alighted.length;
    pos[s.car] = s.floor;
    free[s.car] = s.at + doorMs;
    return {
      added,
      undo: () => {
        pos[s.car] = wasAt;
        free[s.car] = wasFree;
        delivered -= alighted.length;
        for (const i of s.board) where[i] = WAITING;
        for (const i of alighted) {
          where[i] = s.car;
          trip[i] = 0;
        }
      },
    };
  };

  /** The stops a car can make next, each with its boarding choices. */
  const stopsOf = (c: number, tLast: number, out: Stop[]): void => {
    for (let f = 0; f < floors; f++) {
      const arrive = free[c]! + Math.abs(pos[c]! - f) * floorMs;
      let alights = false;
      for (let i = 0; i < n && !alights; i++) alights = where[i] === c && dest[i] === f;
      const times = new Set<number>();
      if (arrive >= tLast) times.add(arrive);
      for (const i of atFloor[f]!) {
        const at = press[i]! - doorMs;
        if (where[i] === WAITING && at > arrive && at >= tLast) times.add(at);
      }
      for (const at of times) {
        // The waiting passengers who can board, grouped by destination.
        const groups = new Map<number, number[]>();
        for (const i of atFloor[f]!) {
          if (press[i]! > at + doorMs) break;
          if (where[i] !== WAITING) continue;
          const g = groups.get(dest[i]!);
          if (g === undefined) groups.set(dest[i]!, [i]);
          else g.push(i);
        }
        const list = [...groups.values()];
        for (let mask = 0; mask < 1 << list.length; mask++) {
          if (mask === 0 && !alights) continue;
          // A stop later than the arrival is for someone who presses then: they board.
          if (
            at !== arrive &&
            !list.some((g, k) => (mask >> k) & 1 && g.some((i) => press[i]! > at))
          )
            continue;
          const board = list.flatMap((g, k) => ((mask >> k) & 1 ? g : []));
          out.push({ car: c, floor: f, at, board, estimate: 0 });
        }
      }
    }
  };

  const search = (tLast: number, cost: number): void => {
    if (delivered === n) {
      if (cost < best) {
        best = cost;
        bestTrips = [...trip];
      }
      return;
    }
    if (nodes >= maxNodes) {
      exhausted = true;
      return;
    }
    nodes++;
    if (cost + bound(tLast) >= best) return;
    const stops: Stop[] = [];
    for (let c = 0; c < cars; c++) stopsOf(c, tLast, stops);
    for (const s of stops) {
      const { added, undo } = apply(s);
      s.estimate = cost + added + bound(s.at);
      undo();
    }
    stops.sort((a, b) => a.estimate - b.estimate || a.at - b.at);
    for (const s of stops) {
      if (s.estimate >= best) break;
      const { added, undo } = apply(s);
      search(s.at, cost + added);
      undo();
      if (exhausted) return;
    }
  };

  search(0, 0);
  return { totalTripMs: best, tripsMs: bestTrips, exact: !exhausted, nodes };
}
