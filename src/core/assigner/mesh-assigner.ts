/**
 * The `mesh` assigner: minimises the total squared waiting time of the hall calls, predicting each
 * car's route with elevator-mesh's own single-elevator rules (the ones `elevator-fsm` runs), not the
 * reference's.
 *
 * 1. Prediction: a car's route is simulated over its cab calls plus a candidate set of hall calls,
 *    move by move as the state machine would drive it (2.5 s a floor, 3 s a door cycle, one hall
 *    direction cleared per door opening). Each hall call costs `(age + eta)^2` where `eta` is when
 *    the car would open its door for it; each cab call costs `cabWeight * eta` (people inside wait
 *    too). Squaring makes a long wait expensive, which is what keeps the tail short.
 * 2. Search: calls are inserted one by one (floor order, up before down) where they add least, then
 *    single calls are moved between cars while that lowers the total, for a bounded number of
 *    passes. Ties keep the call where it is, else go to the lower id, so the answer is a pure
 *    function of the input (every node computes the same one).
 *
 * Optional input: `hallRequestAges` (ms each call has waited). Without it every age is 0. Variants
 * tried on the benchmark (linear cost, expected rides after a pick-up, a route-length term,
 * starting from the reference's answer) all landed within a few percent of these defaults: with
 * hall calls only and cars that move only for a call, the snapshot assignment has little left to
 * win; idle-car parking is where the large gain is (see `parking-policy.ts`).
 */
import { emptyHall } from '../types.js';
import type { AssignerElevatorState, AssignerInput, AssignerOutput } from './assigner-types.js';
import { sortedElevatorIds } from './elevator-id-order.js';
import { referenceAssign } from './reference-assigner.js';

/** Tuning of the mesh assigner. */
export interface MeshAssignerOptions {
  /** Time per floor, in ms (the reference car: 2500). */
  travelDuration: number;
  /** Door open time per stop, in ms (3000). */
  doorOpenDuration: number;
  /** Weight of a cab call's ETA (linear, per second) against the hall calls' squared waits. */
  cabWeight: number;
  /** Improvement passes after the greedy insertion. */
  passes: number;
  /** Hall call cost: `squared` = (age + eta)^2, `linear` = age + eta. */
  costShape: 'squared' | 'linear';
  /** Where the search starts: the reference's answer, or greedy insertion. */
  start: 'reference' | 'greedy';
}

/** The defaults, tuned on the dispatch benchmark (`elevator-mesh bench`). */
export const DEFAULT_MESH_OPTIONS: Readonly<MeshAssignerOptions> = Object.freeze({
  travelDuration: 2500,
  doorOpenDuration: 3000,
  cabWeight: 0,
  passes: 3,
  costShape: 'squared',
  start: 'greedy',
});

const UP = 1;
const DOWN = 2;
const CAB = 4;

/** A call: floor and hall bit (UP or DOWN), with its age in seconds. */
interface Call {
  floor: number;
  bit: 1 | 2;
  ageS: number;
}

interface CarStart {
  id: string;
  state: AssignerElevatorState;
  cab: Uint8Array;
}

/** Direction as a step: +1 up, -1 down, 0 none. */
type Dir = -1 | 0 | 1;

/** A car being simulated: request bits per floor and the bounds of where requests are. */
class Route {
  readonly req: Uint8Array;
  count = 0;
  constructor(floors: number) {
    this.req = new Uint8Array(floors);
  }
  reset(cab: Uint8Array): void {
    this.req.set(cab);
    this.count = 0;
    for (const r of cab) if (r !== 0) this.count++;
  }
  add(floor: number, bits: number): void {
    if (this.req[floor] === 0) this.count++;
    this.req[floor]! |= bits;
  }
  clear(floor: number, bits: number): void {
    const before = this.req[floor]!;
    const after = before & ~bits;
    this.req[floor] = after;
    if (before !== 0 && after === 0) this.count--;
  }
  above(f: number): boolean {
    for (let i = f + 1; i < this.req.length; i++) if (this.req[i] !== 0) return true;
    return false;
  }
  below(f: number): boolean {
    for (let i = 0; i < f; i++) if (this.req[i] !== 0) return true;
    return false;
  }
}

/** `announceDirection` of single-elevator-rules, on bits. */
function announce(r: Route, f: number, dir: Dir): Dir {
  const row = r.req[f]!;
  const up = (row & UP) !== 0;
  const down = (row & DOWN) !== 0;
  if (dir === 1) {
    if (up || r.above(f)) return 1;
    return down ? -1 : 1;
  }
  if (dir === -1) {
    if (down || r.below(f)) return -1;
    return up ? 1 : -1;
  }
  if (up && down) return r.above(f) || !r.below(f) ? 1 : -1;
  if (up) return 1;
  if (down) return -1;
  return 0;
}

/** `chooseNextMove`: 'move' (+-1), 'announce' (returns 2 + announced+1), or idle (0 with kind). */
type Next = { kind: 0 } | { kind: 1; dir: 1 | -1 } | { kind: 2; dir: Dir };

function chooseNext(r: Route, f: number, dir: Dir): Next {
  const above = r.above(f);
  const below = r.below(f);
  const here = r.req[f] !== 0;
  if (dir === 1) {
    if (above) return { kind: 1, dir: 1 };
    if (here) return { kind: 2, dir: announce(r, f, 1) };
    if (below) return { kind: 1, dir: -1 };
    return { kind: 0 };
  }
  if (dir === -1) {
    if (below) return { kind: 1, dir: -1 };
    if (here) return { kind: 2, dir: announce(r, f, -1) };
    if (above) return { kind: 1, dir: 1 };
    return { kind: 0 };
  }
  if (here) return { kind: 2, dir: announce(r, f, 0) };
  if (above) return { kind: 1, dir: 1 };
  if (below) return { kind: 1, dir: -1 };
  return { kind: 0 };
}

function shouldStop(r: Route, f: number, dir: Dir): boolean {
  const row = r.req[f]!;
  if (dir === 1) return (row & (UP | CAB)) !== 0 || !r.above(f);
  if (dir === -1) return (row & (DOWN | CAB)) !== 0 || !r.below(f);
  return true;
}

function hasCallToAnswerHere(r: Route, f: number, dir: Dir): boolean {
  const row = r.req[f]!;
  if ((row & CAB) !== 0) return true;
  if (dir === 1) return (row & UP) !== 0 || ((row & DOWN) !== 0 && !r.above(f));
  if (dir === -1) return (row & DOWN) !== 0 || ((row & UP) !== 0 && !r.below(f));
  return (row & (UP | DOWN)) !== 0;
}

const DIR_OF = { up: 1, down: -1, stop: 0 } as const;

/**
 * Simulates one car over its requests (cab from `start`, hall calls in `calls`) and returns the
 * cost: for each hall call `(age + eta)^2`, for each cab call `cabWeight * eta`, in seconds.
 */
function routeCost(
  start: CarStart,
  calls: readonly Call[],
  route: Route,
  ages: Float64Array,
  opts: MeshAssignerOptions,
): number {
  const floors = route.req.length;
  route.reset(start.cab);
  ages.fill(0);
  for (const c of calls) {
    route.add(c.floor, c.bit);
    ages[c.floor * 2 + (c.bit - 1)] = c.ageS;
  }
  const perFloor = opts.travelDuration / 1000;
  const door = opts.doorOpenDuration / 1000;
  const squared = opts.costShape === 'squared';
  let cost = 0;
  let t = 0;
  let f = Math.min(Math.max(start.state.floor, 0), floors - 1);
  let dir: Dir = DIR_OF[start.state.direction];

  /** Opens the door at f announcing `a`, clearing what that answers; returns the new direction. */
  const open = (a: Dir): void => {
    const row = route.req[f]!;
    let bits = row & CAB;
    if (bits !== 0) cost += opts.cabWeight * t;
    if (a === 1 && (row & UP) !== 0) {
      bits |= UP;
      const w = ages[f * 2]! + t;
      cost += squared ? w * w : w;
    }
    if (a === -1 && (row & DOWN) !== 0) {
      bits |= DOWN;
      const w = ages[f * 2 + 1]! + t;
      cost += squared ? w * w : w;
    }
    route.clear(f, bits);
    dir = a;
  };

  // Phase: 0 = arriving at floor f while moving in dir; 1 = door closing at f; 2 = deciding at f.
  let phase: 0 | 1 | 2;
  switch (start.state.behaviour) {
    case 'moving': {
      if (dir === 0) {
        phase = 2;
        break;
      }
      const next = f + dir;
      if (next < 0 || next >= floors) {
        phase = 2;
        break;
      }
      t = perFloor / 2;
      phase = 0;
      if (route.count > 0 && !(dir === 1 ? route.above(f) : route.below(f))) {
        // Nothing ahead: the state machine turns back at once, to the floor it left (`f`).
        dir = dir === 1 ? -1 : 1;
        break;
      }
      f = next;
      break;
    }
    case 'doorOpen': {
      const a = dir === 0 ? announce(route, f, 0) : dir;
      const row = route.req[f]!;
      const answered =
        (row & CAB) !== 0 || (a === 1 && (row & UP) !== 0) || (a === -1 && (row & DOWN) !== 0);
      if (answered) {
        open(a);
        t = door;
      } else {
        t = door / 2;
      }
      phase = 1;
      break;
    }
    case 'idle':
      dir = 0;
      phase = 2;
      break;
  }

  for (let guard = 0; route.count > 0; guard++) {
    if (guard > 64 * floors + 64) return Infinity; // a bug guard; never expected
    if (phase === 0) {
      if (shouldStop(route, f, dir)) {
        if (hasCallToAnswerHere(route, f, dir)) {
          open(announce(route, f, dir));
          t += door;
          phase = 1;
        } else {
          phase = 2;
        }
      } else {
        f += dir;
        t += perFloor;
      }
    } else {
      const n = chooseNext(route, f, dir);
      if (n.kind === 2) {
        open(n.dir);
        t += door;
        phase = 1;
      } else if (n.kind === 1) {
        dir = n.dir;
        f += dir;
        t += perFloor;
        phase = 0;
      } else {
        break;
      }
    }
  }
  return cost;
}

/** The mesh assignment of `input`'s hall calls. See the module comment. */
export function meshAssign(
  input: AssignerInput,
  options: Partial<MeshAssignerOptions> = {},
): AssignerOutput {
  const opts: MeshAssignerOptions = { ...DEFAULT_MESH_OPTIONS, ...options };
  const floors = input.hallRequests.length;
  const ids = sortedElevatorIds(Object.keys(input.states));
  const result: AssignerOutput = {};
  for (const id of ids) result[id] = emptyHall(floors);
  const calls: Call[] = [];
  input.hallRequests.forEach(([up, down], floor) => {
    const ages = input.hallRequestAges?.[floor];
    if (up) calls.push({ floor, bit: UP, ageS: Math.max(0, (ages?.[0] ?? 0) / 1000) });
    if (down) calls.push({ floor, bit: DOWN, ageS: Math.max(0, (ages?.[1] ?? 0) / 1000) });
  });
  if (calls.length === 0 || ids.length === 0) return result;

  const cars: CarStart[] = ids.map((id) => {
    const state = input.states[id]!;
    const cab = new Uint8Array(floors);
    for (let f = 0; f < floors; f++) if (state.cabRequests[f] === true) cab[f] = CAB;
    return { id, state, cab };
  });
  const route = new Route(floors);
  const ages = new Float64Array(floors * 2);
  const cost = (car: number, set: readonly Call[]): number =>
    routeCost(cars[car]!, set, route, ages, opts);

  const sets: Call[][] = cars.map(() => []);
  const owner: number[] = [];
  if (opts.start === 'reference') {
    const ref = referenceAssign(input, {
      travelDuration: opts.travelDuration,
      doorOpenDuration: opts.doorOpenDuration,
    });
    for (const call of calls) {
      const i = Math.max(
        0,
        cars.findIndex((c) => ref[c.id]?.[call.floor]?.[call.bit - 1] === true),
      );
      sets[i]!.push(call);
      owner.push(i);
    }
  }
  const costs: number[] = cars.map((_, i) => cost(i, sets[i]!));
  // Greedy insertion: each call where it adds least.
  for (const call of opts.start === 'greedy' ? calls : []) {
    let best = 0;
    let bestDelta = Infinity;
    let bestCost = 0;
    for (let i = 0; i < cars.length; i++) {
      const c = cost(i, [...sets[i]!, call]);
      const delta = c - costs[i]!;
      if (delta < bestDelta - 1e-9) {
        best = i;
        bestDelta = delta;
        bestCost = c;
      }
    }
    sets[best]!.push(call);
    costs[best] = bestCost;
    owner.push(best);
  }

  // Local search: move single calls while the total drops.
  for (let pass = 0; pass < opts.passes; pass++) {
    let improved = false;
    calls.forEach((call, k) => {
      const from = owner[k]!;
      const without = sets[from]!.filter((c) => c !== call);
      const fromCost = cost(from, without);
      let best = from;
      let bestGain = 1e-6;
      let bestCost = 0;
      for (let i = 0; i < cars.length; i++) {
        if (i === from) continue;
        const c = cost(i, [...sets[i]!, call]);
        const gain = costs[from]! + costs[i]! - fromCost - c;
        if (gain > bestGain) {
          best = i;
          bestGain = gain;
          bestCost = c;
        }
      }
      if (best === from) return;
      sets[from] = without;
      costs[from] = fromCost;
      sets[best]!.push(call);
      costs[best] = bestCost;
      owner[k] = best;
      improved = true;
    });
    if (!improved) break;
  }

  calls.forEach((call, k) => {
    const row = result[cars[owner[k]!]!.id]![call.floor]!;
    row[call.bit - 1] = true;
  });
  return result;
}
