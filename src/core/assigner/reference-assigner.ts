/**
 * A faithful re-implementation of the course's reference hall-call assigner
 * (`hall_request_assigner`): for the same input and options it gives the same assignment.
 *
 * How it works: every car gets a simulated copy that runs the reference's single-elevator rules
 * over its own cab calls plus every hall call nobody has taken yet. The copy with the least
 * accumulated time always makes the next move; a copy that stops at a floor takes the hall calls
 * it clears there. It ends when every hall call is taken. It is greedy: it does not weigh how long
 * a call has waited, and it never repositions idle cars.
 */
import type { Behaviour, Direction, RequestMatrix } from '../types.js';
import { emptyHall } from '../types.js';
import type {
  AssignerInput,
  AssignerOutput,
  AssignerOutputWithCab,
  ReferenceAssignerOptions,
} from './assigner-types.js';
import { DEFAULT_REFERENCE_OPTIONS, withCabColumn } from './assigner-types.js';
import { sortedElevatorIds } from './elevator-id-order.js';
import type { RequestButton, RuleElevator } from './reference-elevator-rules.js';
import {
  anyRequestsAtFloor,
  chooseDirection,
  clearedAtFloor,
  shouldStop,
} from './reference-elevator-rules.js';

/** Options of `referenceAssign`: the reference's options, each optional, plus `includeCab`. */
export type ReferenceAssignOptions = Partial<ReferenceAssignerOptions> & { includeCab?: boolean };

/** A hall call in the race: whether it is active and which copy has taken it. */
interface RaceCall {
  active: boolean;
  assignee: string | undefined;
}

/** A simulated copy of one car. Time is in microseconds so that half durations stay exact. */
interface RaceCar {
  id: string;
  /** Rank of the id in tie-breaking order. */
  rank: number;
  behaviour: Behaviour;
  floor: number;
  direction: Direction;
  cab: boolean[];
  time: number;
}

const STEP: Record<Direction, number> = { up: 1, down: -1, stop: 0 };
const US_PER_MS = 1000;

/**
 * The reference assignment of `input`'s hall calls. The input must satisfy the reference's
 * preconditions (see `parseAssignerInput`). With `includeCab: true` each row also carries the
 * car's cab call, as the reference's `--includeCab` output does.
 */
export function referenceAssign(
  input: AssignerInput,
  options: ReferenceAssignOptions & { includeCab: true },
): AssignerOutputWithCab;
export function referenceAssign(
  input: AssignerInput,
  options?: ReferenceAssignOptions & { includeCab?: false },
): AssignerOutput;
export function referenceAssign(
  input: AssignerInput,
  options?: ReferenceAssignOptions,
): AssignerOutput | AssignerOutputWithCab;
export function referenceAssign(
  input: AssignerInput,
  options: ReferenceAssignOptions = {},
): AssignerOutput | AssignerOutputWithCab {
  const opts: ReferenceAssignerOptions = {
    travelDuration: options.travelDuration ?? DEFAULT_REFERENCE_OPTIONS.travelDuration,
    doorOpenDuration: options.doorOpenDuration ?? DEFAULT_REFERENCE_OPTIONS.doorOpenDuration,
    clearRequestType: options.clearRequestType ?? DEFAULT_REFERENCE_OPTIONS.clearRequestType,
  };
  const output = race(input, opts);
  return options.includeCab === true ? withCabColumn(output, input) : output;
}

function race(input: AssignerInput, opts: ReferenceAssignerOptions): AssignerOutput {
  const travel = opts.travelDuration * US_PER_MS;
  const door = opts.doorOpenDuration * US_PER_MS;
  const calls: RaceCall[][] = input.hallRequests.map((row) =>
    row.map((active) => ({ active, assignee: undefined })),
  );
  const ids = sortedElevatorIds(Object.keys(input.states));
  // Each copy starts `rank` microseconds late: the reference's way of breaking time ties in
  // favour of the lower id (durations are whole milliseconds, so this never reorders real gaps).
  const cars: RaceCar[] = ids.map((id, rank) => {
    const s = input.states[id]!;
    const { behaviour, floor, direction } = s;
    return { id, rank, behaviour, floor, direction, cab: [...s.cabRequests], time: rank };
  });

  for (const car of cars) initialMove(car, calls, travel, door);

  // Bounded only as a guard against a bug: each car needs at most a few moves per floor and call.
  const maxMoves = 16 * (cars.length + 1) * (calls.length + 1) * (calls.length + 1) + 1024;
  for (let moves = 0; ; moves++) {
    cars.sort((a, b) => a.time - b.time || a.rank - b.rank);
    let done = !anyUnassigned(calls);
    if (unvisitedAreImmediatelyAssignable(calls, cars)) {
      assignImmediately(calls, cars, door);
      done = true;
    }
    if (done) break;
    if (moves >= maxMoves) throw new Error('reference assigner did not converge (a bug)');
    singleMove(cars[0]!, calls, opts, travel, door);
  }

  const result: AssignerOutput = {};
  for (const id of ids) result[id] = emptyHall(calls.length);
  calls.forEach((row, floor) =>
    row.forEach((call, button) => {
      if (!call.active) return;
      const assigned = call.assignee === undefined ? undefined : result[call.assignee]?.[floor];
      if (assigned === undefined) throw new Error('reference assigner left a call unassigned');
      assigned[button] = true;
    }),
  );
  return result;
}

function isUnassigned(call: RaceCall): boolean {
  return call.active && call.assignee === undefined;
}

function anyUnassigned(calls: RaceCall[][]): boolean {
  return calls.some((row) => row.some(isUnassigned));
}

function hasCabCalls(car: RaceCar): boolean {
  return car.cab.some(Boolean);
}

/**
 * Brings each copy to a point where the rules can take over: a door-open car first spends half a
 * door time; an idle (or door-open) car takes every active hall call at its floor at once, one
 * door time each, even a call an earlier copy at the same floor took (the later id keeps it, as
 * in the reference); a moving car is advanced half a travel time, to the next floor.
 */
function initialMove(car: RaceCar, calls: RaceCall[][], travel: number, door: number): void {
  switch (car.behaviour) {
    case 'doorOpen':
    case 'idle': {
      if (car.behaviour === 'doorOpen') car.time += door / 2;
      for (const call of calls[car.floor] ?? []) {
        if (call.active) {
          call.assignee = car.id;
          car.time += door;
        }
      }
      break;
    }
    case 'moving':
      car.floor += STEP[car.direction];
      car.time += travel / 2;
      break;
  }
}

/** The copy as the rules see it: its cab calls plus the hall calls nobody has taken. */
function ruleView(car: RaceCar, calls: RaceCall[][]): RuleElevator {
  const requests: RequestMatrix = calls.map((row, f) => [
    row[0] !== undefined && isUnassigned(row[0]),
    row[1] !== undefined && isUnassigned(row[1]),
    car.cab[f] ?? false,
  ]);
  return { floor: car.floor, direction: car.direction, requests };
}

/** Applies a stop's clearing: hall calls become the copy's, cab calls are done. */
function takeCleared(car: RaceCar, calls: RaceCall[][], cleared: RequestButton[]): void {
  for (const button of cleared) {
    if (button === 2) {
      car.cab[car.floor] = false;
    } else {
      const call = calls[car.floor]?.[button];
      if (call !== undefined) call.assignee = car.id;
    }
  }
}

/** One move of one copy, by the single-elevator rules. */
function singleMove(
  car: RaceCar,
  calls: RaceCall[][],
  opts: ReferenceAssignerOptions,
  travel: number,
  door: number,
): void {
  // The view is taken before the move, so a stop clears by the direction the copy had *before*
  // choosing `stop`, as in the reference.
  const view = ruleView(car, calls);
  switch (car.behaviour) {
    case 'moving':
      if (shouldStop(view)) {
        car.behaviour = 'doorOpen';
        car.time += door;
        takeCleared(car, calls, clearedAtFloor(view, opts.clearRequestType));
      } else {
        car.floor += STEP[car.direction];
        car.time += travel;
      }
      break;
    case 'idle':
    case 'doorOpen': {
      car.direction = chooseDirection(view);
      if (car.direction !== 'stop') {
        car.behaviour = 'moving';
        car.floor += STEP[car.direction];
        car.time += travel;
      } else if (anyRequestsAtFloor(view)) {
        takeCleared(car, calls, clearedAtFloor(view, opts.clearRequestType));
        car.time += door;
        car.behaviour = 'doorOpen';
      } else {
        car.behaviour = 'idle';
      }
      break;
    }
  }
}

/**
 * The shortcut: when no car has cab calls, no floor has both hall calls active, and every
 * untaken call is at a floor where a car stands, each such call goes straight to such a car.
 */
function unvisitedAreImmediatelyAssignable(calls: RaceCall[][], cars: RaceCar[]): boolean {
  if (cars.some(hasCabCalls)) return false;
  return calls.every(
    (row, floor) =>
      row.filter((c) => c.active).length < 2 &&
      row.every((call) => !isUnassigned(call) || cars.some((car) => car.floor === floor)),
  );
}

/** Gives each untaken call to the first car (in race order) standing at its floor. */
function assignImmediately(calls: RaceCall[][], cars: RaceCar[], door: number): void {
  calls.forEach((row, floor) => {
    for (const call of row) {
      const car = isUnassigned(call) ? cars.find((c) => c.floor === floor) : undefined;
      if (car !== undefined) {
        call.assignee = car.id;
        car.time += door;
      }
    }
  });
}
