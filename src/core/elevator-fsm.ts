/**
 * The single elevator as a pure state machine: `step(state, event) -> [state, effects]`.
 *
 * Time is injected: every event carries `now` (monotonic ms). Timers are deadlines kept in the
 * state and checked on `tick`. Effects are data; the node's shell executes them against the elevator
 * I/O. Nothing else makes decisions about the car.
 *
 * A starved process (docs/design.md, "a starved process"): the door opens only on a floor-sensor
 * reading taken after the motor stopped that shows the car at that floor, and a call is `served`
 * only by such an opening. Stopping at a floor therefore takes two steps: the reading that shows the
 * floor stops the motor and records an `arrival` (the car is settling); the next floor-sensor event
 * is the confirmation. The I/O layer guarantees that it is one: after every motor command it reports
 * the floor sensor once more, changed or not, from a reading taken after the elevator server got the
 * command (`src/io/elevator-io.ts`). Every other report is a change, so a report of the very floor
 * the car settles at (the last floor reported) is that reading, never an older one: it confirms.
 * Between floors (the stop came late: the reading that stopped it was stale) the car drives back
 * to the floor it stopped for; at another floor it settles there in turn (re-asserting the stop to
 * get a reading after it). Nothing else opens the door.
 *
 * Parking: the `requests` event may carry a park floor, where the car waits when it has nothing to
 * do. It is not a call: a car with no requests drives there and stops with its door closed, never
 * stopping anywhere else on the way, and any request preempts it at once (turning back between
 * floors if the request lies behind). Its door opens only for a call.
 */
import {
  announceDirection,
  anyRequests,
  callsClearedAt,
  chooseNextMove,
  requestsAbove,
  requestsBelow,
  shouldStop,
} from './single-elevator-rules.js';
import type { ButtonType, Direction, RequestMatrix } from './types.js';
import { emptyRequests } from './types.js';

/** Timings and size of one elevator. */
export interface ElevatorConfig {
  floors: number;
  /** How long the door stays open at a stop (requirements §4: 3 s). */
  doorOpenMs: number;
  /** Told to move but no floor-sensor change within this bound: the motor has failed. */
  motorTimeoutMs: number;
  /** Door held open by the obstruction for this long: unavailable for hall calls. */
  obstructionTimeoutMs: number;
  /**
   * Parking only after idling: a car with nothing to do waits this long at the floor where it
   * stopped before it drives to its park floor (absent or 0: at once). A call in the meantime finds
   * it where it is, which saves the drive to the park floor when traffic is steady.
   */
  parkDelayMs?: number;
  /** Added to `parkDelayMs` per floor between the car and its park floor: a far home waits longer. */
  parkDelayPerFloorMs?: number;
  /** Park floors driven to at once, without the delays (the lobby, say). */
  parkAtOnceFloors?: readonly number[];
}

/** Default timings, matching the reference simulator's car (2.5 s a floor). */
export const DEFAULT_ELEVATOR_CONFIG: Omit<ElevatorConfig, 'floors'> = {
  doorOpenMs: 3000,
  motorTimeoutMs: 4000,
  obstructionTimeoutMs: 5000,
};

/**
 * What the car is doing. `init` covers the start (floor unknown) and any time the car is found
 * between floors without having been told to move: it drives down to a floor first.
 */
export type ElevatorBehaviour = 'init' | 'idle' | 'moving' | 'doorOpen';

export interface ElevatorState {
  readonly config: ElevatorConfig;
  readonly behaviour: ElevatorBehaviour;
  /**
   * Last floor the sensor read, or null before any. While moving it is the floor behind the car,
   * so `floor + direction` is always the next floor it reaches: the last floor passed, or, after
   * the car turned back between floors, the floor it had been heading to (the floor indicator
   * keeps showing the floor it left, which is the one it returns to).
   */
  readonly floor: number | null;
  /** Whether the floor sensor currently reads a floor. */
  readonly atFloor: boolean;
  /** Direction of travel while moving; the announced direction while the door is open. */
  readonly direction: Direction;
  /** The motor command last given. */
  readonly motor: Direction;
  /** The calls this car serves: its cab calls and the hall calls assigned to it. */
  readonly requests: RequestMatrix;
  /** Where to wait with the door closed when there are no requests, or null to stay put. */
  readonly park: number | null;
  /** When the door may close (doorOpen only). */
  readonly doorClosesAt: number | null;
  readonly obstruction: boolean;
  /** Since when the obstruction has held the open door, or null. */
  readonly obstructedSince: number | null;
  /** By when the floor sensor must change while the motor runs. */
  readonly motorDeadline: number | null;
  readonly motorFailed: boolean;
  /**
   * The car has already stopped or turned back for changed requests since the floor sensor last
   * changed. It does so at most once: its requests depend on its own reported state (through the
   * assignment), and a second change of course could undo the first, over and over, at one instant.
   */
  readonly changedCourse: boolean;
  /**
   * A stop in progress (see the module comment): the car was told to stop at `floor` and waits for
   * a floor-sensor reading taken after the stop (behaviour `idle`, motor stopped: settling), or,
   * found between floors by that reading, it drives back there (behaviour `moving`: returning).
   * `direction` is the direction it decides with once confirmed there (the one it travelled, or
   * `stop` from start-up); `travel` is the way the car was physically moving when it was told to
   * stop, so that a car found between floors knows which side of `floor` it is on. Absent in states
   * built before this field existed: read as null.
   */
  readonly arrival?: Arrival | null;
  /**
   * Since when the car has stood idle at a floor with nothing to do (for `parkDelayMs`), or null.
   * Absent in states built before this field existed: read as null.
   */
  readonly idleSince?: number | null;
}

/** A stop at a floor waiting for its confirmation; see {@link ElevatorState.arrival}. */
export interface Arrival {
  readonly floor: number;
  readonly direction: Direction;
  readonly travel: 'up' | 'down';
  readonly phase: 'settling' | 'returning';
  /** When the car last asked for the reading it settles on (the stop, or a re-assert of it). */
  readonly since: number;
}

/**
 * A car settling this long without the reading that confirms it asks again (re-asserts the stop,
 * which makes the I/O report a fresh reading). The I/O promises that reading after every motor
 * command; this only keeps the car from waiting forever if one was lost on the way (a reconnect).
 */
export const SETTLE_RETRY_MS = 1000;

/** Whether the car has been told to stop at a floor and waits for a reading to confirm it stands there. */
export function isSettling(state: ElevatorState): boolean {
  return state.arrival?.phase === 'settling';
}

export type ElevatorEvent =
  | { type: 'floorSensor'; floor: number | null; now: number }
  | { type: 'obstruction'; active: boolean; now: number }
  /**
   * The car's complete set of requests, and where it should park when it has none (absent or
   * null: stay where it stops; a floor outside the building is ignored like null).
   */
  | { type: 'requests'; requests: RequestMatrix; park?: number | null; now: number }
  | { type: 'tick'; now: number };

export type ElevatorEffect =
  | { type: 'motor'; direction: Direction }
  /** Write the motor command again (recovery attempt after a suspected motor failure). */
  | { type: 'reassertMotor' }
  | { type: 'doorLamp'; on: boolean }
  | { type: 'floorIndicator'; floor: number }
  /** A call was served here: the car opened its door at `floor` announcing that direction. */
  | { type: 'served'; floor: number; button: ButtonType };

/** A fresh elevator that knows nothing about its car yet (waits for the first floor-sensor event). */
export function initialElevatorState(config: ElevatorConfig): ElevatorState {
  return {
    config,
    behaviour: 'init',
    floor: null,
    atFloor: false,
    direction: 'stop',
    motor: 'stop',
    requests: emptyRequests(config.floors),
    park: null,
    doorClosesAt: null,
    obstruction: false,
    obstructedSince: null,
    motorDeadline: null,
    motorFailed: false,
    changedCourse: false,
    arrival: null,
  };
}

/** The door has been obstructed for longer than the configured bound. */
export function isObstructedTooLong(state: ElevatorState, now: number): boolean {
  return (
    state.obstructedSince !== null &&
    now >= state.obstructedSince + state.config.obstructionTimeoutMs
  );
}

/** Whether this car can take hall calls: it knows where it is, its motor works, its door is not held. */
export function isAvailable(state: ElevatorState, now: number): boolean {
  return state.floor !== null && !state.motorFailed && !isObstructedTooLong(state, now);
}

/** Whether the car is on its way to its park floor (moving with no requests). */
export function isParking(state: ElevatorState): boolean {
  return state.behaviour === 'moving' && state.park !== null && !anyRequests(state.requests);
}

/**
 * The next time at which a `tick` can change anything, for virtual-time schedulers. A deadline at
 * or before `now` is due; the obstruction bound is reported only until it has passed (crossing it
 * changes availability, which every later event sees).
 */
export function nextDeadline(state: ElevatorState, now: number): number | null {
  const times: number[] = [];
  if (state.doorClosesAt !== null && !state.obstruction) times.push(state.doorClosesAt);
  if (state.motorDeadline !== null) times.push(state.motorDeadline);
  const obstructionBound =
    state.obstructedSince === null
      ? null
      : state.obstructedSince + state.config.obstructionTimeoutMs;
  if (obstructionBound !== null && obstructionBound > now) times.push(obstructionBound);
  if (state.arrival?.phase === 'settling') times.push(state.arrival.since + SETTLE_RETRY_MS);
  const parkAt = parkDepartureAt(state);
  if (parkAt !== null) times.push(parkAt);
  return times.length === 0 ? null : Math.min(...times);
}

/** When an idle car waiting out `parkDelayMs` leaves for its park floor, or null. */
function parkDepartureAt(state: ElevatorState): number | null {
  const since = state.idleSince ?? null;
  if (since === null || state.behaviour !== 'idle' || state.arrival) return null;
  if (state.park === null || state.park === state.floor) return null;
  return since + parkDelay(state.config, state.park, state.floor);
}

/** How long a car idles at `floor` before it drives to `park` (0: at once). */
function parkDelay(config: ElevatorConfig, park: number, floor: number | null): number {
  if (config.parkAtOnceFloors?.includes(park) === true) return 0;
  const perFloor = config.parkDelayPerFloorMs ?? 0;
  return (config.parkDelayMs ?? 0) + (floor === null ? 0 : perFloor * Math.abs(park - floor));
}

/** Mutable working copy used inside one step; effects accumulate in order. */
type Draft = { -readonly [K in keyof ElevatorState]: ElevatorState[K] };

/** Applies one event. Pure: returns the new state and the effects to execute, in order. */
export function step(
  state: ElevatorState,
  event: ElevatorEvent,
): [ElevatorState, ElevatorEffect[]] {
  const s: Draft = { ...state, requests: state.requests.map((r) => [...r] as typeof r) };
  const effects: ElevatorEffect[] = [];
  const now = event.now;
  switch (event.type) {
    case 'floorSensor':
      onFloorSensor(s, event.floor, now, effects);
      break;
    case 'obstruction':
      onObstruction(s, event.active, now);
      break;
    case 'requests':
      onRequests(s, event.requests, event.park ?? null, now, effects);
      break;
    case 'tick':
      onTick(s, now, effects);
      break;
  }
  return [s, effects];
}

function setMotor(s: Draft, direction: Direction, now: number, effects: ElevatorEffect[]): void {
  if (direction !== 'stop' && s.floor !== null) {
    // Never drive past the top or bottom floor, whatever the requests say.
    if (direction === 'up' && s.atFloor && s.floor >= s.config.floors - 1) direction = 'stop';
    if (direction === 'down' && s.atFloor && s.floor <= 0) direction = 'stop';
  }
  if (s.motor !== direction) effects.push({ type: 'motor', direction });
  s.motor = direction;
  s.motorDeadline = direction === 'stop' ? null : now + s.config.motorTimeoutMs;
  if (direction === 'stop') s.motorFailed = false;
}

function startMoving(s: Draft, direction: 'up' | 'down', now: number, effects: ElevatorEffect[]) {
  if (s.idleSince != null) s.idleSince = null;
  closeDoor(s, effects);
  s.behaviour = 'moving';
  s.direction = direction;
  setMotor(s, direction, now, effects);
}

function closeDoor(s: Draft, effects: ElevatorEffect[]): void {
  if (s.behaviour === 'doorOpen') effects.push({ type: 'doorLamp', on: false });
  s.doorClosesAt = null;
  s.obstructedSince = null;
}

function goIdle(s: Draft, now: number, effects: ElevatorEffect[]): void {
  closeDoor(s, effects);
  s.behaviour = 'idle';
  s.direction = 'stop';
  setMotor(s, 'stop', now, effects);
}

/** Clears the calls answered at this floor when announcing `announced`, reporting each as served. */
function clearHere(s: Draft, announced: Direction, effects: ElevatorEffect[]): boolean {
  const floor = s.floor;
  if (floor === null) return false;
  const cleared = callsClearedAt(s.requests, floor, announced);
  const row = s.requests[floor];
  if (row === undefined) return false;
  let any = false;
  if (cleared.hallUp) {
    row[0] = false;
    effects.push({ type: 'served', floor, button: 'hallUp' });
    any = true;
  }
  if (cleared.hallDown) {
    row[1] = false;
    effects.push({ type: 'served', floor, button: 'hallDown' });
    any = true;
  }
  if (cleared.cab) {
    row[2] = false;
    effects.push({ type: 'served', floor, button: 'cab' });
    any = true;
  }
  return any;
}

/** Opens (or keeps open) the door at the current floor announcing `announced`, restarting the timer. */
function openDoor(s: Draft, announced: Direction, now: number, effects: ElevatorEffect[]): void {
  if (s.motor !== 'stop' || !s.atFloor || s.floor === null || s.arrival) {
    // Not known to stand at a floor with the motor stopped (no caller does this; the guard keeps the
    // rule in one place): stop and wait for the confirmation instead of opening.
    if (s.floor !== null && s.atFloor && !s.arrival) {
      const travel = s.motor === 'down' ? 'down' : 'up';
      stopAndSettle(s, s.floor, announced, travel, now, effects);
    }
    return;
  }
  if (s.behaviour !== 'doorOpen') effects.push({ type: 'doorLamp', on: true });
  if (s.idleSince != null) s.idleSince = null;
  s.behaviour = 'doorOpen';
  s.direction = announced;
  s.doorClosesAt = now + s.config.doorOpenMs;
  if (s.obstruction && s.obstructedSince === null) s.obstructedSince = now;
  clearHere(s, announced, effects);
}

/** Decides what a stopped car with a closed door does next. */
function decideAtFloor(s: Draft, now: number, effects: ElevatorEffect[]): void {
  if (s.floor === null) return;
  const move = chooseNextMove(s.requests, s.floor, s.direction);
  switch (move.kind) {
    case 'move':
      startMoving(s, move.direction, now, effects);
      break;
    case 'announce':
      openDoor(s, move.direction, now, effects);
      break;
    case 'idle': {
      // Nothing to do: drive to the park floor with the door closed, if there is one elsewhere
      // (after `parkDelayMs` of idling, if set).
      const park = s.park;
      const idleSince = s.behaviour === 'idle' ? (s.idleSince ?? now) : now;
      const delay = park === null ? 0 : parkDelay(s.config, park, s.floor);
      if (park !== null && park !== s.floor && s.atFloor && now >= idleSince + delay) {
        startMoving(s, park > s.floor ? 'up' : 'down', now, effects);
      } else {
        goIdle(s, now, effects);
        if (delay > 0) s.idleSince = idleSince;
      }
      break;
    }
  }
}

/**
 * Stops the car at `floor` (the floor sensor showed it there) and waits for the confirmation: the
 * next floor-sensor event, which is a reading taken after the stop (see the module comment).
 */
function stopAndSettle(
  s: Draft,
  floor: number,
  direction: Direction,
  travel: 'up' | 'down',
  now: number,
  effects: ElevatorEffect[],
): void {
  setMotor(s, 'stop', now, effects);
  s.behaviour = 'idle';
  s.direction = 'stop';
  s.arrival = { floor, direction, travel, phase: 'settling', since: now };
}

/** What a car confirmed standing at `floor` (motor stopped) does, having arrived going `direction`. */
function arriveAt(
  s: Draft,
  floor: number,
  direction: Direction,
  now: number,
  effects: ElevatorEffect[],
) {
  s.arrival = null;
  s.behaviour = 'idle';
  s.direction = direction;
  if (hasCallToAnswerHere(s.requests, floor, direction)) {
    openDoor(s, announceDirection(s.requests, floor, direction), now, effects);
  } else {
    // Nothing to do here (the call ahead went to another car, or the car parks here): never open
    // the door at a floor without a call. Turn around or go idle.
    decideAtFloor(s, now, effects);
  }
}

/** The reading taken after a stop: where the car really stands. */
function onSettled(
  s: Draft,
  arrival: Arrival,
  floor: number | null,
  now: number,
  effects: ElevatorEffect[],
): void {
  if (floor === arrival.floor) {
    arriveAt(s, floor, arrival.direction, now, effects);
    return;
  }
  if (floor !== null) {
    // At another floor: the stop came more than a floor late, or this is a reading that was on its
    // way before the stop. Wait for one more: re-asserting the stop makes the I/O report a reading
    // taken after it. Once that shows this floor, the car serves what it can here and otherwise
    // goes on from here by the usual rules.
    s.arrival = { ...arrival, floor, since: now };
    effects.push({ type: 'reassertMotor' });
    return;
  }
  // Between floors: the reading that stopped it was stale and the car had already left the floor,
  // on its way `travel`. Drive back to the floor; never open the door here.
  const back = arrival.travel === 'up' ? 'down' : 'up';
  const behind = arrival.floor + (arrival.travel === 'up' ? 1 : -1);
  // `floor` is the floor behind the car: the one beyond the stop floor, if there is one.
  s.floor = behind >= 0 && behind < s.config.floors ? behind : arrival.floor;
  s.behaviour = 'moving';
  s.direction = back;
  s.arrival = { ...arrival, phase: 'returning' };
  setMotor(s, back, now, effects);
}

function onFloorSensor(
  s: Draft,
  floor: number | null,
  now: number,
  effects: ElevatorEffect[],
): void {
  const changed = floor !== null ? !s.atFloor || s.floor !== floor : s.atFloor;
  if (changed) {
    // Any change of the sensor proves the car moves: the motor works.
    s.motorFailed = false;
    s.changedCourse = false;
    if (s.motor !== 'stop') s.motorDeadline = now + s.config.motorTimeoutMs;
  }
  const arrival = s.arrival ?? null;
  if (arrival !== null && arrival.phase === 'settling' && s.behaviour === 'idle') {
    if (floor !== null && (floor < 0 || floor >= s.config.floors)) return;
    s.atFloor = floor !== null;
    if (floor !== null) {
      s.floor = floor;
      if (changed) effects.push({ type: 'floorIndicator', floor });
    }
    onSettled(s, arrival, floor, now, effects);
    return;
  }
  if (floor === null) {
    s.atFloor = false;
    if (s.behaviour === 'idle' || s.behaviour === 'doorOpen' || s.behaviour === 'init') {
      s.arrival = null;
      // Between floors without being told to move (start-up, or the car was moved under us):
      // drive to a floor first. Down always has a floor below.
      closeDoor(s, effects);
      s.behaviour = 'init';
      s.direction = 'down';
      setMotor(s, 'down', now, effects);
    }
    return;
  }
  if (floor < 0 || floor >= s.config.floors) return;
  s.atFloor = true;
  s.floor = floor;
  if (changed) effects.push({ type: 'floorIndicator', floor });
  switch (s.behaviour) {
    case 'init':
      if (s.motor === 'stop') {
        // At start-up with the motor stopped: this reading is the first one after the driver wrote
        // the stop on connecting, so the car stands here.
        arriveAt(s, floor, 'stop', now, effects);
      } else {
        // Driving down to a floor: stop, and trust the floor only once a later reading shows it.
        stopAndSettle(s, floor, 'stop', 'down', now, effects);
      }
      break;
    case 'moving': {
      // The I/O reports the sensor again after every motor command: an unchanged reading while
      // moving is that report, not an arrival (the car is still leaving the floor it was at).
      if (!changed) return;
      const travel = s.direction === 'down' ? 'down' : 'up';
      if (arrival !== null) {
        // Returning to the floor it stopped too late for: stop there, nowhere else (but never drive
        // on past the top or bottom floor: there it stops and decides from there).
        const atEnd = travel === 'up' ? floor >= s.config.floors - 1 : floor <= 0;
        if (floor === arrival.floor || atEnd)
          stopAndSettle(s, floor, arrival.direction, travel, now, effects);
        return;
      }
      if (!anyRequests(s.requests) && parkAhead(s, floor)) return; // parking: never stop on the way
      if (!shouldStop(s.requests, floor, s.direction)) return;
      stopAndSettle(s, floor, s.direction, travel, now, effects);
      break;
    }
    case 'idle':
    case 'doorOpen':
      break;
  }
}

/** Whether the park floor lies strictly beyond `floor` in the direction of travel. */
function parkAhead(s: Draft, floor: number): boolean {
  if (s.park === null) return false;
  if (s.direction === 'up') return s.park > floor;
  if (s.direction === 'down') return s.park < floor;
  return false;
}

/** Whether a car arriving at `floor` travelling `direction` has a call to answer here. */
function hasCallToAnswerHere(
  requests: RequestMatrix,
  floor: number,
  direction: Direction,
): boolean {
  const r = requests[floor];
  if (r === undefined) return false;
  if (r[2]) return true;
  if (direction === 'up') return r[0] || (r[1] && !requestsAbove(requests, floor));
  if (direction === 'down') return r[1] || (r[0] && !requestsBelow(requests, floor));
  return r[0] || r[1];
}

function onObstruction(s: Draft, active: boolean, now: number): void {
  s.obstruction = active;
  if (s.behaviour !== 'doorOpen') return;
  if (active) {
    if (s.obstructedSince === null) s.obstructedSince = now;
  } else {
    s.obstructedSince = null;
    // People were in the doorway: give the full door time again.
    s.doorClosesAt = Math.max(s.doorClosesAt ?? now, now + s.config.doorOpenMs);
  }
}

function onRequests(
  s: Draft,
  requests: RequestMatrix,
  park: number | null,
  now: number,
  effects: ElevatorEffect[],
): void {
  s.requests = Array.from({ length: s.config.floors }, (_, f) => {
    const r = requests[f];
    return r === undefined ? [false, false, false] : ([r[0], r[1], r[2]] as typeof r);
  });
  s.park =
    park !== null && Number.isInteger(park) && park >= 0 && park < s.config.floors ? park : null;
  switch (s.behaviour) {
    case 'doorOpen': {
      if (s.floor === null) return;
      // A call answered by the announced direction is served at once and the door stays open longer.
      const direction =
        s.direction === 'stop' ? announceDirection(s.requests, s.floor, 'stop') : s.direction;
      if (callsAnsweredBy(s.requests, s.floor, direction)) openDoor(s, direction, now, effects);
      break;
    }
    case 'idle':
      // Settling: the confirmation decides, with the requests as they are then.
      if (s.arrival) return;
      if (s.floor !== null && s.atFloor) decideAtFloor(s, now, effects);
      break;
    case 'moving':
      reconsiderWhileMoving(s, now, effects);
      break;
    case 'init':
      break;
  }
}

/**
 * A moving car whose requests (or, with none, its park floor) no longer lie ahead does not drive on
 * to the next floor: still at a floor it stops there (and serves or turns there); between floors it
 * turns back at once, which returns it to the floor it left a full travel time later (sooner than
 * reaching the next floor and coming back). With no requests and no park floor it goes on to the
 * next floor and stops there, as before, so that a car whose motor has failed is not stopped (and
 * reported well again) just because its calls were taken from it. At most once between two changes
 * of the floor sensor (see `changedCourse`); after that it goes on to the next floor and decides
 * there.
 */
function reconsiderWhileMoving(s: Draft, now: number, effects: ElevatorEffect[]): void {
  const floor = s.floor;
  if (floor === null || s.direction === 'stop' || s.changedCourse) return;
  // Returning to a floor it stopped too late for: it goes there first and decides there.
  if (s.arrival) return;
  const up = s.direction === 'up';
  let goOn: boolean;
  if (anyRequests(s.requests)) {
    goOn = up ? requestsAbove(s.requests, floor) : requestsBelow(s.requests, floor);
  } else {
    goOn = s.park === null || parkAhead(s, floor);
  }
  if (goOn) return;
  s.changedCourse = true;
  if (s.atFloor) {
    // Still at the floor it is leaving (as far as the last reading knows): stop, and decide there
    // once a reading taken after the stop confirms it.
    stopAndSettle(s, floor, s.direction, up ? 'up' : 'down', now, effects);
    return;
  }
  // The floor it was heading to is now behind it (see `ElevatorState.floor`).
  s.floor = floor + (up ? 1 : -1);
  s.direction = up ? 'down' : 'up';
  setMotor(s, s.direction, now, effects);
}

function callsAnsweredBy(requests: RequestMatrix, floor: number, direction: Direction): boolean {
  const c = callsClearedAt(requests, floor, direction);
  return c.hallUp || c.hallDown || c.cab;
}

function onTick(s: Draft, now: number, effects: ElevatorEffect[]): void {
  const departure = parkDepartureAt(s);
  if (departure !== null && now >= departure && s.atFloor) decideAtFloor(s, now, effects);
  const arrival = s.arrival;
  if (arrival?.phase === 'settling' && now >= arrival.since + SETTLE_RETRY_MS) {
    s.arrival = { ...arrival, since: now };
    effects.push({ type: 'reassertMotor' });
  }
  if (s.motorDeadline !== null && now >= s.motorDeadline) {
    // Told to move, yet the sensor did not change in time: report out of service and try again.
    s.motorFailed = true;
    s.motorDeadline = now + s.config.motorTimeoutMs;
    effects.push({ type: 'reassertMotor' });
  }
  if (
    s.behaviour === 'doorOpen' &&
    !s.obstruction &&
    s.doorClosesAt !== null &&
    now >= s.doorClosesAt
  ) {
    if (s.floor === null) return;
    const move = chooseNextMove(s.requests, s.floor, s.direction);
    if (move.kind === 'announce') {
      // Calls here the other way: announce the change of direction with another full door time.
      openDoor(s, move.direction, now, effects);
    } else {
      closeDoor(s, effects);
      s.behaviour = 'idle';
      decideAtFloor(s, now, effects);
    }
  }
}
