/**
 * The dispatch benchmark's building: `n` cars, each driven by the same pure elevator state machine
 * the nodes run (`core/elevator-fsm`), moved by the simulator's car physics (`sim/car-physics`), with
 * hall calls assigned by an `Assigner` exactly as a node does it: recomputed whenever the
 * assigner's input changes, each car's requests = its cab calls + the hall calls assigned to it.
 *
 * Virtual time, discrete events: the clock jumps to the next passenger arrival, floor-sensor change
 * or state-machine deadline, so an hour of traffic runs in well under a second.
 *
 * Passengers: a passenger presses the hall button of their direction (unless it is lit already, or a
 * car stands there with its door open announcing their direction: then they walk straight in). They
 * board the first car that opens its door at their floor announcing their direction, press the cab
 * button of their destination at once, and alight when that car opens its door there. Boarding and
 * alighting take no time of their own (the door time covers them). A car holds `capacity`
 * passengers (default 8); those left behind by a full car press the hall button again once no car
 * stands open for them, and their wait goes on counting from their first press.
 */
import type { Assigner, AssignerInput, AssignerOutput } from '../core/assigner/assigner-types.js';
import type { ParkPolicy, ParkTiming } from '../core/assigner/dispatch.js';
import { createDispatch } from '../core/assigner/dispatch.js';
import type { ElevatorEffect, ElevatorEvent, ElevatorState } from '../core/elevator-fsm.js';
import { initialElevatorState, isAvailable, nextDeadline, step } from '../core/elevator-fsm.js';
import { anyHallCall, assignmentInput } from '../core/assignment-input.js';
import type { HallMatrix, RequestMatrix } from '../core/types.js';
import { CarPhysics } from '../sim/car-physics.js';
import type { Passenger } from './traffic.js';
import { CONTROLLER_DEFAULTS, REFERENCE_PHYSICS } from '../core/timings.js';

/** The car's timings: the reference simulator's (travel 2000 + passing 500 = 2.5 s a floor; door 3 s). */
export interface SimTimings {
  travelMs: number;
  passingMs: number;
  doorOpenMs: number;
}

/** The reference simulator's timings. */
export const REFERENCE_TIMINGS: Readonly<SimTimings> = Object.freeze({
  ...REFERENCE_PHYSICS,
  doorOpenMs: CONTROLLER_DEFAULTS.doorOpenMs,
});

export interface BuildingSimOptions {
  cars: number;
  floors: number;
  /** Sorted by time. */
  passengers: readonly Passenger[];
  assign: Assigner;
  /** The simulation stops here even if passengers are still waiting or riding (they stay unserved). */
  maxTimeMs: number;
  timings?: SimTimings;
  /** Where each car starts, at rest (default: spread evenly over the building). */
  startFloors?: readonly number[];
  /**
   * Parking: each car's park floor, computed as a node does it (`parkingFloor` of
   * `core/assigner/parking-policy`) from the same input as the assignment, and handed to its state
   * machine with its requests. Absent: cars wait where their last call left them.
   */
  park?: ParkPolicy | undefined;
  /** When parking cars leave, for every car's state machine (absent: at once), as on the node. */
  parkTiming?: ParkTiming | undefined;
  /** Passengers a car holds (default {@link DEFAULT_CAR_CAPACITY}; `Infinity` for no limit). */
  capacity?: number;
  /**
   * Clock for timing the assigner (ms, fractional). Default: this process's CPU time (user +
   * system), so other load on a shared machine does not inflate the figures.
   */
  wallClock?: () => number;
}

/** What happened to one passenger. Times are virtual ms; `null` if it never happened. */
export interface PassengerRecord extends Passenger {
  /** When a car opened its door for them (announcing their direction) and they boarded. */
  boardAt: number | null;
  /** When the car opened its door at their destination. */
  alightAt: number | null;
  car: string | null;
  /** A lower bound of their wait: the nearest car, free and dedicated to them, at their arrival. */
  boundWaitMs: number;
  /** A lower bound of their time to destination: bound wait + the direct ride from rest. */
  boundTripMs: number;
  /**
   * Lower bounds that do not depend on the strategy, only on the traffic and the start floors: the
   * wait is at least the time the nearest car needs from its start floor, less the time since the
   * start (0 once any car could have got there), and the trip at least that plus the direct ride.
   * Absent in hand-made records.
   */
  fleetBoundWaitMs?: number;
  fleetBoundTripMs?: number;
}

/** The record of one run. */
export interface SimTrace {
  passengers: PassengerRecord[];
  cars: { id: string; floorsTravelled: number; stops: number }[];
  /** Hall buttons pressed (a press on an unlit button, including presses again after a full car). */
  hallCallsPressed: number;
  /** Times an active hall call's assignee changed from one car to another. */
  flips: number;
  /** Times a car on its way to park was given another park floor, and how often that turned it back. */
  parkRetargets: number;
  parkTurnbacks: number;
  /** Calls to the assigner, and the CPU time they took. */
  assignCalls: number;
  assignTotalMs: number;
  assignMaxMs: number;
  /** Each assigner call's CPU time, in call order. */
  assignDurationsMs: number[];
  /** The virtual time the run ended. */
  endMs: number;
  /**
   * When each floor travelled was completed and each door opened (any car), so that energy can be
   * counted over the same window as the waits. Absent in hand-made traces: the totals are used.
   */
  floorArrivalsMs?: number[];
  doorOpeningsMs?: number[];
}

interface SimCar {
  id: string;
  phys: CarPhysics;
  fsm: ElevatorState;
  sensor: number | null;
  cab: boolean[];
  riders: PassengerRecord[];
  /** The park floor last handed to the state machine. */
  park: number | null;
  floorsTravelled: number;
  stops: number;
}

/** This process's CPU time in ms (microsecond resolution). */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Passengers per car unless told otherwise: a common small passenger car. */
export const DEFAULT_CAR_CAPACITY = 8;

/** Evenly spread start floors: car i of n at round(i * (floors - 1) / (n - 1)). */
export function spreadStartFloors(cars: number, floors: number): number[] {
  return Array.from({ length: cars }, (_, i) =>
    cars === 1 ? 0 : Math.round((i * (floors - 1)) / (cars - 1)),
  );
}

/**
 * A lower bound of the time for `car` to reach `floor`, whatever it was doing: stopped at a floor it
 * needs a full floor time per floor; while moving it may be part-way (at most half a floor time, and
 * at least the passing time, ahead of where the model puts it).
 */
export function reachBoundMs(phys: CarPhysics, floor: number, now: number): number {
  const s = phys.state(now);
  const perFloor = phys.travelMs + phys.passingMs;
  if (s.moving === 'stop' && s.floor !== null) return perFloor * Math.abs(floor - s.floor);
  const head = Math.max(perFloor / 2, phys.passingMs);
  return Math.max(0, perFloor * Math.abs(floor - s.position) - head);
}

/** A trace with nothing in it yet (its passenger list `passengers`). */
export function emptyTrace(passengers: PassengerRecord[] = []): SimTrace {
  return {
    passengers,
    cars: [],
    hallCallsPressed: 0,
    flips: 0,
    parkRetargets: 0,
    parkTurnbacks: 0,
    assignCalls: 0,
    assignTotalMs: 0,
    assignMaxMs: 0,
    assignDurationsMs: [],
    endMs: 0,
  };
}

/** What a strategy's simulation takes besides the strategy: the building, its passengers, the clock. */
export type StrategySimOptions = Omit<BuildingSimOptions, 'assign' | 'park' | 'parkTiming'>;

/**
 * Runs the dispatch strategy `name` (`reference`, `mesh+park`, ...: `createDispatch`) on a building:
 * its assigner, its parking and its parking timing, as a node runs them. `assign` replaces the
 * strategy's own assigner (one created once and reused across runs); its parking is created afresh
 * for each run (adaptive parking learns from the run's traffic).
 */
export function runStrategySim(
  name: string,
  options: StrategySimOptions,
  assign?: Assigner,
): SimTrace {
  const d = createDispatch(name);
  return runBuildingSim({
    ...options,
    assign: assign ?? d.assign,
    park: d.park,
    parkTiming: d.parkTiming,
  });
}

/** Runs one benchmark simulation. Deterministic apart from the measured assigner wall time. */
export function runBuildingSim(opts: BuildingSimOptions): SimTrace {
  const { floors, assign, maxTimeMs } = opts;
  const timings = opts.timings ?? REFERENCE_TIMINGS;
  const capacity = opts.capacity ?? DEFAULT_CAR_CAPACITY;
  const wallClock = opts.wallClock ?? processCpuMs;
  const starts = opts.startFloors ?? spreadStartFloors(opts.cars, floors);
  const config = {
    floors,
    doorOpenMs: timings.doorOpenMs,
    // Far beyond any floor time: the benchmark has no motor failures.
    motorTimeoutMs: 4 * (timings.travelMs + timings.passingMs),
    obstructionTimeoutMs: 5000,
    ...opts.parkTiming,
  };
  const cars: SimCar[] = starts.map((floor, i) => ({
    id: String(i + 1),
    phys: new CarPhysics({ floors, ...timings, start: { floor } }),
    fsm: initialElevatorState(config),
    sensor: floor,
    cab: new Array<boolean>(floors).fill(false),
    riders: [],
    park: null,
    floorsTravelled: 0,
    stops: 0,
  }));
  const hall: HallMatrix = Array.from({ length: floors }, () => [false, false]);
  const waiting: [PassengerRecord[], PassengerRecord[]][] = Array.from({ length: floors }, () => [
    [],
    [],
  ]);
  const owner: (string | null)[][] = Array.from({ length: floors }, () => [null, null]);
  const records: PassengerRecord[] = [];
  const trace = emptyTrace(records);
  const floorArrivalsMs: number[] = [];
  const doorOpeningsMs: number[] = [];
  trace.floorArrivalsMs = floorArrivalsMs;
  trace.doorOpeningsMs = doorOpeningsMs;
  let assignment: AssignerOutput = {};
  let assignmentKey = '';
  let now = 0;

  const applyEffects = (car: SimCar, effects: ElevatorEffect[]): void => {
    for (const e of effects) {
      switch (e.type) {
        case 'motor':
          car.phys.setMotor(e.direction, now);
          break;
        case 'reassertMotor':
          car.phys.setMotor(car.fsm.motor, now);
          break;
        case 'doorLamp':
          if (e.on) {
            car.stops++;
            doorOpeningsMs.push(now);
          }
          break;
        case 'served':
          if (e.button === 'cab') {
            car.cab[e.floor] = false;
          } else {
            const d = e.button === 'hallUp' ? 0 : 1;
            const row = hall[e.floor];
            if (row !== undefined) row[d] = false;
            const o = owner[e.floor];
            if (o !== undefined) o[d] = null;
          }
          break;
        case 'floorIndicator':
          break;
      }
    }
  };

  const stepCar = (car: SimCar, event: ElevatorEvent): void => {
    const [fsm, effects] = step(car.fsm, event);
    car.fsm = fsm;
    applyEffects(car, effects);
    // Like the node's driver (src/io/elevator-io.ts): after a motor command it reports the floor
    // sensor once more, read after the command (here at the same instant).
    if (effects.some((e) => e.type === 'motor' || e.type === 'reassertMotor')) {
      car.sensor = car.phys.floorSensor(event.now);
      stepCar(car, { type: 'floorSensor', floor: car.sensor, now: event.now });
    }
  };

  /** The assigner input, built from the state machines as a node builds it (core/assignment-input). */
  const assignerInput = (): AssignerInput =>
    assignmentInput(
      hall.map(([u, d]) => [u, d]),
      cars.map((car) => ({
        id: car.id,
        behaviour: car.fsm.behaviour,
        floor: car.fsm.floor,
        direction: car.fsm.direction,
        available: isAvailable(car.fsm, now),
        cabRequests: car.cab,
      })),
    );

  const recomputeAssignment = (): void => {
    const input = assignerInput();
    const key = JSON.stringify(input);
    if (key === assignmentKey) return;
    assignmentKey = key;
    if (!anyHallCall(input.hallRequests) || Object.keys(input.states).length === 0) {
      assignment = {};
      return;
    }
    const t0 = wallClock();
    assignment = assign(input);
    const ms = wallClock() - t0;
    trace.assignCalls++;
    trace.assignTotalMs += ms;
    trace.assignDurationsMs.push(ms);
    if (ms > trace.assignMaxMs) trace.assignMaxMs = ms;
    for (let f = 0; f < floors; f++) {
      for (const d of [0, 1] as const) {
        if (hall[f]?.[d] !== true) continue;
        let to: string | null = null;
        for (const car of cars) if (assignment[car.id]?.[f]?.[d] === true) to = car.id;
        const o = owner[f]!;
        if (o[d] !== null && to !== null && o[d] !== to) trace.flips++;
        o[d] = to;
      }
    }
  };

  const desiredRequests = (car: SimCar): RequestMatrix => {
    const mine = assignment[car.id];
    return Array.from({ length: floors }, (_, f) => [
      (mine?.[f]?.[0] ?? false) && hall[f]![0],
      (mine?.[f]?.[1] ?? false) && hall[f]![1],
      car.cab[f] ?? false,
    ]);
  };

  /** Each car's park floor from the current view, as its node computes it. */
  const parkFloors = (): (number | null)[] => {
    const park = opts.park;
    if (park === undefined) return cars.map(() => null);
    const input = assignerInput();
    return cars.map((car) => park(input, assignment, car.id));
  };

  /** Counts a parking car given another park floor, and whether that turns it back. */
  const countRetarget = (car: SimCar, park: number | null): void => {
    const f = car.fsm;
    if (f.behaviour !== 'moving' || car.park === null || park === car.park || f.floor === null)
      return;
    if (f.requests.some((r) => r[0] || r[1] || r[2])) return;
    trace.parkRetargets++;
    if (park !== null && (f.direction === 'up' ? park <= f.floor : park >= f.floor))
      trace.parkTurnbacks++;
  };

  const standsOpen = (floor: number, d: 0 | 1): boolean =>
    cars.some(
      (c) =>
        c.fsm.behaviour === 'doorOpen' &&
        c.fsm.floor === floor &&
        c.fsm.direction === (d === 0 ? 'up' : 'down'),
    );

  /**
   * Passengers leave and enter cars standing open, and those left behind press again; returns
   * whether any button was pressed.
   */
  const boardAndAlight = (): boolean => {
    let added = false;
    for (const car of cars) {
      const f = car.fsm;
      if (f.behaviour !== 'doorOpen' || f.floor === null) continue;
      const floor = f.floor;
      if (car.riders.some((p) => p.destination === floor)) {
        for (const p of car.riders) if (p.destination === floor) p.alightAt = now;
        car.riders = car.riders.filter((p) => p.destination !== floor);
      }
      if (f.direction === 'stop') continue;
      const queue = waiting[floor]?.[f.direction === 'up' ? 0 : 1];
      if (queue === undefined || queue.length === 0) continue;
      const boarding = queue.splice(0, Math.max(0, capacity - car.riders.length));
      for (const p of boarding) {
        p.boardAt = now;
        p.car = car.id;
        car.riders.push(p);
        if (!car.cab[p.destination]) {
          car.cab[p.destination] = true;
          added = true;
        }
      }
    }
    for (let floor = 0; floor < floors; floor++) {
      for (const d of [0, 1] as const) {
        const row = hall[floor]!;
        if (row[d] || waiting[floor]![d].length === 0 || standsOpen(floor, d)) continue;
        row[d] = true;
        trace.hallCallsPressed++;
        added = true;
      }
    }
    return added;
  };

  /** Brings assignment, requests and passengers to rest at `now`. */
  const settle = (): void => {
    for (let round = 0; ; round++) {
      if (round > 1000) throw new Error('benchmark simulation did not settle (a bug)');
      let changed = boardAndAlight();
      recomputeAssignment();
      const parks = parkFloors();
      for (const [i, car] of cars.entries()) {
        const want = desiredRequests(car);
        const park = parks[i] ?? null;
        if (sameRequests(want, car.fsm.requests) && park === car.park) continue;
        countRetarget(car, park);
        car.park = park;
        stepCar(car, { type: 'requests', requests: want, park, now });
        changed = true;
      }
      if (!changed) return;
    }
  };

  const arrive = (p: Passenger): void => {
    const rec: PassengerRecord = {
      ...p,
      boardAt: null,
      alightAt: null,
      car: null,
      boundWaitMs: 0,
      boundTripMs: 0,
    };
    rec.boundWaitMs = Math.min(...cars.map((c) => reachBoundMs(c.phys, p.origin, now)));
    const perFloor = timings.travelMs + timings.passingMs;
    rec.fleetBoundWaitMs = Math.max(
      0,
      Math.min(...starts.map((f) => perFloor * Math.abs(p.origin - f))) - p.time,
    );
    rec.fleetBoundTripMs = rec.fleetBoundWaitMs + perFloor * Math.abs(p.destination - p.origin);
    // The door may already be about to close when they walk in, so no door time in the bound.
    rec.boundTripMs =
      rec.boundWaitMs + (timings.travelMs + timings.passingMs) * Math.abs(p.destination - p.origin);
    records.push(rec);
    const d = p.destination > p.origin ? 0 : 1;
    // Pressing the button (unless lit, or a car stands open for them) happens in the next settle.
    waiting[p.origin]![d].push(rec);
  };

  for (const car of cars) stepCar(car, { type: 'floorSensor', floor: car.sensor, now });
  settle();
  let nextPassenger = 0;
  const passengers = opts.passengers;
  for (let guard = 0; ; guard++) {
    let next = Infinity;
    const p = passengers[nextPassenger];
    if (p !== undefined) next = p.time;
    for (const car of cars) {
      const c = car.phys.nextChangeAt(now);
      if (c !== undefined && c < next) next = c;
      const dl = nextDeadline(car.fsm, now);
      if (dl !== null && dl < next) next = dl;
    }
    if (next === Infinity || next > maxTimeMs) break;
    if (guard > 50_000_000) throw new Error('benchmark simulation runs away (a bug)');
    now = Math.max(now, next);
    for (const car of cars) {
      const s = car.phys.floorSensor(now);
      if (s === car.sensor) continue;
      if (s !== null && car.sensor === null) {
        car.floorsTravelled++;
        floorArrivalsMs.push(now);
      }
      car.sensor = s;
      stepCar(car, { type: 'floorSensor', floor: s, now });
    }
    for (const car of cars) {
      const dl = nextDeadline(car.fsm, now);
      if (dl !== null && dl <= now) stepCar(car, { type: 'tick', now });
    }
    for (let q = passengers[nextPassenger]; q !== undefined && q.time <= now;) {
      arrive(q);
      q = passengers[++nextPassenger];
    }
    settle();
  }
  trace.endMs = Math.min(now, maxTimeMs);
  trace.cars = cars.map((c) => ({
    id: c.id,
    floorsTravelled: c.floorsTravelled,
    stops: c.stops,
  }));
  return trace;
}

function sameRequests(a: RequestMatrix, b: RequestMatrix): boolean {
  if (a.length !== b.length) return false;
  for (let f = 0; f < a.length; f++) {
    const x = a[f]!;
    const y = b[f]!;
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2]) return false;
  }
  return true;
}
