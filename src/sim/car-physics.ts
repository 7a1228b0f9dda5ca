/**
 * A pure, clock-injected model of one elevator car as the reference simulator moves it
 * (docs/elevator-protocol.md, "How the reference simulator moves the car").
 *
 * No timers and no clock reads: every method takes `now` (ms, any monotonic origin) and the model
 * advances lazily to it. `now` must not go backwards; an earlier `now` is treated as the latest
 * one seen. Use {@link CarPhysics.nextChangeAt} to jump a discrete-event simulation straight to
 * the next floor-sensor change.
 *
 * The rules, as the tests name them:
 * - LEAVE: from a floor with the motor on, the car leaves the floor sensor `passingMs` after the
 *   motor started (or changed direction) and reaches the next floor `travelMs` after leaving.
 * - PASS: moving continuously, the sensor reads each floor for `passingMs`, then "between" for
 *   `travelMs`.
 * - STOP-BETWEEN: motor stopped between floors: the car stays there, sensor reads between.
 * - STOP-AT-FLOOR: motor stopped while the sensor reads a floor: the car stays at that floor.
 * - RESUME-SAME: restarted between floors in the direction it left in: reaches the next floor a
 *   full `travelMs` later.
 * - RESUME-REVERSE: restarted in the opposite direction: returns to the floor it left, a full
 *   `travelMs` later.
 * - OUT-OF-BOUNDS: leaving the top floor upwards or the bottom floor downwards puts the car out of
 *   bounds (sensor reads between); motor commands are remembered but not obeyed until
 *   {@link CarPhysics.bringBack}, which puts the car at rest at that end floor and then obeys the
 *   last motor command.
 * - POWER-LOSS: with motor power off the car behaves as if the motor were stopped and motor
 *   commands are remembered but not obeyed; when power returns the car obeys the LAST motor
 *   command, so a controller that writes only on change is not stuck.
 * - SAME-COMMAND: repeating the direction the car is already driven in changes nothing (no timer
 *   restart), so re-asserting the motor is harmless.
 */
import type { Direction } from '../core/types.js';

/** Where the car starts: at rest at a floor, or at rest between `between` and `between + 1`. */
export type CarStart = { floor: number } | { between: number };

/** Configuration of a {@link CarPhysics}. */
export interface CarPhysicsOptions {
  /** Number of floors, 2 or more. */
  floors: number;
  /** Time between leaving one floor sensor and reaching the next (reference: 2000 ms). */
  travelMs: number;
  /** Time the sensor reads a floor while the car passes it, and the time to leave a floor from rest (reference: 500 ms). */
  passingMs: number;
  /** Starting position; the motor is stopped and powered at the start. */
  start: CarStart;
}

/** A snapshot of the car at one instant. */
export interface CarState {
  /** What the floor sensor reads: a floor, or `null` between floors and out of bounds. */
  floor: number | null;
  /** The last floor the sensor read (for a car started between floors: the floor below it). */
  lastFloor: number;
  /** The commanded motor direction (what the controller or operator last asked for). */
  motor: Direction;
  /** The direction the car is actually driven in: `stop` while powered off or out of bounds. */
  moving: Direction;
  motorPower: boolean;
  outOfBounds: boolean;
  /**
   * Position for display: a floor number at a floor, `lower + 0.5` between floors (the reference
   * model has no finer position), beyond the end floor by 0.5 when out of bounds.
   */
  position: number;
}

type Phase =
  /** The sensor reads `floor`; `leaveAt` is set while the car is driven. */
  | { kind: 'floor'; floor: number; leaveAt: number | undefined }
  /**
   * Between floors, having left `from` heading `heading`; `arrival` is set while the car is driven
   * (`floor` is `from` itself when it was reversed).
   */
  | {
      kind: 'between';
      from: number;
      heading: 'up' | 'down';
      arrival: { floor: number; at: number } | undefined;
    }
  /** Driven past `edge` (the top or bottom floor) in `heading`. */
  | { kind: 'outOfBounds'; edge: number; heading: 'up' | 'down' };

/** Thrown for options that cannot describe a car. */
export class CarPhysicsConfigError extends Error {
  override readonly name = 'CarPhysicsConfigError';
  readonly code = 'bad-car-config';
}

/** The car model. See the module comment for the rules. */
export class CarPhysics {
  readonly floors: number;
  readonly travelMs: number;
  readonly passingMs: number;
  private phase: Phase;
  private commanded: Direction = 'stop';
  /** Direction the car is currently driven in (the commanded one unless powered off / out of bounds). */
  private driven: Direction = 'stop';
  private power = true;
  private lastFloorSeen: number;
  private clock = -Infinity;

  constructor(opts: CarPhysicsOptions) {
    const { floors, travelMs, passingMs, start } = opts;
    if (!Number.isInteger(floors) || floors < 2) {
      throw new CarPhysicsConfigError(`floors must be an integer >= 2, got ${floors}`);
    }
    if (!(travelMs > 0) || !(passingMs > 0)) {
      throw new CarPhysicsConfigError(
        `travelMs and passingMs must be > 0, got ${travelMs} and ${passingMs}`,
      );
    }
    this.floors = floors;
    this.travelMs = travelMs;
    this.passingMs = passingMs;
    if ('floor' in start) {
      if (!Number.isInteger(start.floor) || start.floor < 0 || start.floor >= floors) {
        throw new CarPhysicsConfigError(`start floor ${start.floor} not in 0..${floors - 1}`);
      }
      this.phase = { kind: 'floor', floor: start.floor, leaveAt: undefined };
      this.lastFloorSeen = start.floor;
    } else {
      if (!Number.isInteger(start.between) || start.between < 0 || start.between >= floors - 1) {
        throw new CarPhysicsConfigError(
          `start between ${start.between} and ${start.between + 1} not inside 0..${floors - 1}`,
        );
      }
      // As if it had left the lower floor upwards: up reaches lower+1, down returns to lower.
      this.phase = { kind: 'between', from: start.between, heading: 'up', arrival: undefined };
      this.lastFloorSeen = start.between;
    }
  }

  /** Commands the motor (protocol cmd 1, or an operator forcing it). */
  setMotor(dir: Direction, now: number): void {
    const t = this.advance(now);
    this.commanded = dir;
    this.drive(this.power && this.phase.kind !== 'outOfBounds' ? dir : 'stop', t);
  }

  /** Cuts or restores motor power (a lasting mode; see POWER-LOSS). */
  setMotorPower(on: boolean, now: number): void {
    const t = this.advance(now);
    this.power = on;
    this.drive(on && this.phase.kind !== 'outOfBounds' ? this.commanded : 'stop', t);
  }

  /**
   * Puts an out-of-bounds car back at rest at the end floor it left, then obeys the last motor
   * command (reference key `0`). Returns false (and does nothing) if the car was not out of bounds.
   */
  bringBack(now: number): boolean {
    const t = this.advance(now);
    if (this.phase.kind !== 'outOfBounds') return false;
    this.phase = { kind: 'floor', floor: this.phase.edge, leaveAt: undefined };
    this.lastFloorSeen = this.phase.floor;
    this.driven = 'stop';
    this.drive(this.power ? this.commanded : 'stop', t);
    return true;
  }

  /** What the floor sensor reads at `now`: a floor, or `null` between floors / out of bounds. */
  floorSensor(now: number): number | null {
    this.advance(now);
    return this.phase.kind === 'floor' ? this.phase.floor : null;
  }

  /**
   * When the floor sensor next changes if nothing else is commanded (always later than `now`:
   * changes at or before `now` have been applied), or `undefined` when the car is not driven (at
   * rest, powered off or out of bounds).
   */
  nextChangeAt(now: number): number | undefined {
    this.advance(now);
    if (this.phase.kind === 'floor') return this.phase.leaveAt;
    if (this.phase.kind === 'between') return this.phase.arrival?.at;
    return undefined;
  }

  /** A snapshot of the car at `now`. */
  state(now: number): CarState {
    this.advance(now);
    const p = this.phase;
    return {
      floor: p.kind === 'floor' ? p.floor : null,
      lastFloor: this.lastFloorSeen,
      motor: this.commanded,
      moving: this.driven,
      motorPower: this.power,
      outOfBounds: p.kind === 'outOfBounds',
      position:
        p.kind === 'floor'
          ? p.floor
          : p.kind === 'between'
            ? (p.heading === 'up' ? p.from : p.from - 1) + 0.5
            : p.edge + (p.heading === 'up' ? 0.5 : -0.5),
    };
  }

  /** Applies every scheduled transition up to `now`; returns the effective time. */
  private advance(now: number): number {
    if (now > this.clock) this.clock = now;
    const t = this.clock;
    for (;;) {
      const p = this.phase;
      if (p.kind === 'floor' && p.leaveAt !== undefined && p.leaveAt <= t) {
        const dir = this.driven === 'up' ? 'up' : 'down';
        const beyond = dir === 'up' ? p.floor >= this.floors - 1 : p.floor <= 0;
        if (beyond) {
          this.phase = { kind: 'outOfBounds', edge: p.floor, heading: dir };
          this.driven = 'stop';
        } else {
          const to = p.floor + (dir === 'up' ? 1 : -1);
          this.phase = {
            kind: 'between',
            from: p.floor,
            heading: dir,
            arrival: { floor: to, at: p.leaveAt + this.travelMs },
          };
        }
      } else if (p.kind === 'between' && p.arrival !== undefined && p.arrival.at <= t) {
        // Still driven (arrival is cleared on stop): passes the floor, leaving it passingMs later.
        this.phase = {
          kind: 'floor',
          floor: p.arrival.floor,
          leaveAt: p.arrival.at + this.passingMs,
        };
        this.lastFloorSeen = p.arrival.floor;
      } else {
        return t;
      }
    }
  }

  /** Changes the direction the car is actually driven in, at time `t` (already advanced to). */
  private drive(dir: Direction, t: number): void {
    if (dir === this.driven) return; // SAME-COMMAND: no timer restart
    this.driven = dir;
    const p = this.phase;
    if (p.kind === 'floor') {
      p.leaveAt = dir === 'stop' ? undefined : t + this.passingMs;
    } else if (p.kind === 'between') {
      if (dir === 'stop') {
        p.arrival = undefined;
      } else {
        const floor = dir === p.heading ? p.from + (p.heading === 'up' ? 1 : -1) : p.from;
        p.arrival = { floor, at: t + this.travelMs };
      }
    }
  }
}
