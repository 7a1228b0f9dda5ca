/**
 * The simulated elevator behind the TCP server: the car ({@link CarPhysics}), its lamps, buttons
 * and switches, and the change events the control API and terminal view show. No networking:
 * `sim-server.ts` feeds it decoded protocol commands and connection changes.
 *
 * Time comes from an injected clock (`performance.now` in the server). Car transitions are
 * emitted with the exact instant the physics says they happen, even if the timer that notices
 * them fires a little later, so a harness can measure latencies exactly.
 */
import type { ButtonType, Direction } from '../core/types.js';
import { BUTTON_TYPES, buttonIndex } from '../core/types.js';
import type { ElevatorCommand, ElevatorReply } from '../protocol/elevator-frames.js';
import { buttonExists } from '../protocol/elevator-frames.js';
import type { CarStart } from './car-physics.js';
import { CarPhysics } from './car-physics.js';

/** The state the control API serves at `GET /state` (its exact shape is a contract). */
export interface SimState {
  floors: number;
  car: {
    /** What the floor sensor reads; `null` between floors. */
    floor: number | null;
    lastFloor: number;
    /** The commanded motor direction. */
    motor: Direction;
    motorPower: boolean;
    outOfBounds: boolean;
  };
  lamps: {
    /** `hall[floor] = [up, down]`. */
    hall: [boolean, boolean][];
    cab: boolean[];
    door: boolean;
    stop: boolean;
    floorIndicator: number;
  };
  obstruction: boolean;
  stopButton: boolean;
  clientConnected: boolean;
}

/** What changed, in a {@link SimEvent}. */
export type SimChange =
  /** The first event of a subscription: the current state. */
  | { type: 'initial' }
  /** The car moved (sensor changed), or its motor, power or bounds changed. */
  | { type: 'car' }
  | { type: 'lamp' }
  | { type: 'press'; button: ButtonType; floor: number }
  | { type: 'buttonHeld'; button: ButtonType; floor: number; held: boolean }
  | { type: 'obstruction' }
  | { type: 'stopButton' }
  | { type: 'client' }
  | { type: 'reload' };

/** A change with its monotonic timestamp (ms, the simulator's clock) and the full state after it. */
export interface SimEvent {
  t: number;
  change: SimChange;
  state: SimState;
}

/** Options of a {@link SimElevator}. */
export interface SimElevatorOptions {
  floors: number;
  travelMs: number;
  passingMs: number;
  /** How long a momentary press reads as pressed. */
  pressMs: number;
  /** A fixed start floor, or `undefined` for a random start (half the time between floors). */
  startFloor?: number | undefined;
  /** Uniform random numbers in [0, 1) for the random start. */
  random: () => number;
  /** Monotonic clock in ms. */
  now: () => number;
}

/** A rejected operator input or protocol command; `code` is stable. */
export class SimInputError extends Error {
  override readonly name = 'SimInputError';
  constructor(
    readonly code: 'floor-out-of-range' | 'no-such-button' | 'reload-while-moving',
    message: string,
  ) {
    super(message);
  }
}

/** Picks the start of a car: the given floor, else a random one, half the time between floors. */
export function randomStart(floors: number, random: () => number): CarStart {
  if (random() < 0.5) return { between: Math.floor(random() * (floors - 1)) };
  return { floor: Math.floor(random() * floors) };
}

/** The simulated elevator (see module comment). */
export class SimElevator {
  readonly floors: number;
  private readonly opts: SimElevatorOptions;
  private car: CarPhysics;
  /** Time up to which car transitions have been emitted. */
  private carClock: number;
  private readonly hallLamps: [boolean, boolean][];
  private readonly cabLamps: boolean[];
  private doorLamp = false;
  private stopLamp = false;
  private floorIndicator = 0;
  private obstruction = false;
  private stopButton = false;
  private clientConnected = false;
  /** Per `[floor][button]`: momentary press end time, and whether it is held (toggled). */
  private readonly pressedUntil: number[][];
  private readonly held: boolean[][];
  private readonly listeners = new Set<(e: SimEvent) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(opts: SimElevatorOptions) {
    this.opts = opts;
    this.floors = opts.floors;
    this.car = this.newCar();
    this.carClock = opts.now();
    this.hallLamps = Array.from({ length: opts.floors }, () => [false, false]);
    this.cabLamps = Array.from({ length: opts.floors }, () => false);
    this.pressedUntil = Array.from({ length: opts.floors }, () => [
      -Infinity,
      -Infinity,
      -Infinity,
    ]);
    this.held = Array.from({ length: opts.floors }, () => [false, false, false]);
  }

  private newCar(): CarPhysics {
    const { floors, travelMs, passingMs, startFloor, random } = this.opts;
    const start = startFloor === undefined ? randomStart(floors, random) : { floor: startFloor };
    return new CarPhysics({ floors, travelMs, passingMs, start });
  }

  /** The current state (the `GET /state` shape). */
  state(): SimState {
    return this.snapshot(this.catchUp());
  }

  private snapshot(t: number): SimState {
    const c = this.car.state(t);
    return {
      floors: this.floors,
      car: {
        floor: c.floor,
        lastFloor: c.lastFloor,
        motor: c.motor,
        motorPower: c.motorPower,
        outOfBounds: c.outOfBounds,
      },
      lamps: {
        hall: this.hallLamps.map(([u, d]) => [u, d]),
        cab: [...this.cabLamps],
        door: this.doorLamp,
        stop: this.stopLamp,
        floorIndicator: this.floorIndicator,
      },
      obstruction: this.obstruction,
      stopButton: this.stopButton,
      clientConnected: this.clientConnected,
    };
  }

  /** Display position of the car (floor, or half-way between floors). */
  carPosition(): number {
    // Never advance the physics past a transition that was not emitted yet: read at the instant
    // caught up to, not at a fresh clock reading (the clock moves between two readings).
    return this.car.state(this.catchUp()).position;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (e: SimEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(t: number, change: SimChange, state: SimState): void {
    for (const l of [...this.listeners]) l({ t, change, state });
  }

  /**
   * Emits every car transition up to now, each at its exact instant, re-arms the timer, and
   * returns that now. Whoever then reads or changes the car does so at the returned instant: a
   * second clock reading could fall after a transition this call did not emit, and the physics
   * would apply it silently (a preempted process, a GC pause between the two readings).
   */
  private catchUp(): number {
    const now = this.opts.now();
    for (
      let t = this.car.nextChangeAt(this.carClock);
      t !== undefined && t <= now;
      t = this.car.nextChangeAt(t)
    ) {
      this.carClock = t;
      this.emit(t, { type: 'car' }, this.snapshot(t));
    }
    this.carClock = Math.max(this.carClock, now);
    this.arm();
    return this.carClock;
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    const next = this.car.nextChangeAt(this.carClock);
    if (next === undefined) return;
    // +1 ms: timers may fire a hair early relative to performance.now().
    this.timer = setTimeout(() => this.catchUp(), Math.max(0, next - this.opts.now()) + 1);
    this.timer.unref();
  }

  /** Runs a change at now; emits `change` if the state differs (presses always emit). */
  private mutate(change: SimChange, fn: (now: number) => void): void {
    const now = this.catchUp();
    const before = JSON.stringify(this.snapshot(now));
    fn(now);
    const after = this.snapshot(now);
    if (change.type === 'press' || change.type === 'reload' || JSON.stringify(after) !== before) {
      this.emit(now, change, after);
    }
    this.catchUp();
  }

  private checkButton(button: ButtonType, floor: number): void {
    if (!Number.isInteger(floor) || floor < 0 || floor >= this.floors) {
      throw new SimInputError(
        'floor-out-of-range',
        `floor ${floor} out of range 0..${this.floors - 1}`,
      );
    }
    if (!BUTTON_TYPES.includes(button) || !buttonExists(button, floor, this.floors)) {
      throw new SimInputError(
        'no-such-button',
        `there is no ${String(button)} button at floor ${floor}`,
      );
    }
  }

  /** A momentary press: the button reads pressed for `pressMs`. Throws {@link SimInputError}. */
  press(button: ButtonType, floor: number): void {
    this.checkButton(button, floor);
    this.mutate({ type: 'press', button, floor }, (now) => {
      const row = this.pressedUntil[floor];
      if (row) row[buttonIndex(button)] = now + this.opts.pressMs;
    });
  }

  /** Holds or releases a button (the reference's uppercase keys). Throws {@link SimInputError}. */
  setButtonHeld(button: ButtonType, floor: number, held: boolean): void {
    this.checkButton(button, floor);
    const now = this.catchUp();
    const row = this.held[floor];
    if (!row || row[buttonIndex(button)] === held) return;
    row[buttonIndex(button)] = held;
    this.emit(now, { type: 'buttonHeld', button, floor, held }, this.snapshot(now));
  }

  /** Whether a button is held. */
  isButtonHeld(button: ButtonType, floor: number): boolean {
    return this.held[floor]?.[buttonIndex(button)] ?? false;
  }

  /** What a protocol read of the button returns now (a button that does not exist reads false). */
  isButtonPressed(button: ButtonType, floor: number): boolean {
    const i = buttonIndex(button);
    if (!buttonExists(button, floor, this.floors)) return false;
    return (
      (this.held[floor]?.[i] ?? false) || this.opts.now() < (this.pressedUntil[floor]?.[i] ?? 0)
    );
  }

  setObstruction(on: boolean): void {
    this.mutate({ type: 'obstruction' }, () => (this.obstruction = on));
  }

  setStopButton(pressed: boolean): void {
    this.mutate({ type: 'stopButton' }, () => (this.stopButton = pressed));
  }

  /** Cuts or restores motor power; on return the car obeys the last motor command. */
  setMotorPower(on: boolean): void {
    this.mutate({ type: 'car' }, (now) => this.car.setMotorPower(on, now));
  }

  /** Drives the motor as if commanded (protocol cmd 1, disconnect, or the operator's 7/8/9). */
  setMotor(dir: Direction): void {
    this.mutate({ type: 'car' }, (now) => this.car.setMotor(dir, now));
  }

  /** Puts an out-of-bounds car back at its end floor (the operator's `0`); false if it was not out. */
  bringBack(): boolean {
    let back = false;
    this.mutate({ type: 'car' }, (now) => (back = this.car.bringBack(now)));
    return back;
  }

  /** Restarts the car at the configured start (random unless a start floor was given). */
  reload(): void {
    const c = this.car.state(this.catchUp());
    if (c.moving !== 'stop') {
      throw new SimInputError('reload-while-moving', 'reload (cmd 0) while the motor is running');
    }
    this.mutate({ type: 'reload' }, (now) => {
      this.car = this.newCar();
      this.car.setMotorPower(c.motorPower, now);
      this.carClock = now;
    });
  }

  setClientConnected(connected: boolean): void {
    this.mutate({ type: 'client' }, () => (this.clientConnected = connected));
  }

  /**
   * Executes one decoded protocol command: the reply for a read, `undefined` for a write. Throws
   * {@link SimInputError} for a command it refuses (reload while moving). Lamp writes for buttons
   * that do not exist are ignored (the lamp stays dark).
   */
  execute(cmd: ElevatorCommand): ElevatorReply | undefined {
    switch (cmd.type) {
      case 'reload':
        this.reload();
        return undefined;
      case 'motor':
        this.setMotor(cmd.dir);
        return undefined;
      case 'buttonLamp': {
        if (!buttonExists(cmd.button, cmd.floor, this.floors) || cmd.floor >= this.floors) {
          return undefined;
        }
        this.mutate({ type: 'lamp' }, () => {
          if (cmd.button === 'cab') this.cabLamps[cmd.floor] = cmd.on;
          else {
            const pair = this.hallLamps[cmd.floor];
            if (pair) pair[cmd.button === 'hallUp' ? 0 : 1] = cmd.on;
          }
        });
        return undefined;
      }
      case 'floorIndicator':
        if (cmd.floor < this.floors) {
          this.mutate({ type: 'lamp' }, () => (this.floorIndicator = cmd.floor));
        }
        return undefined;
      case 'doorLamp':
        this.mutate({ type: 'lamp' }, () => (this.doorLamp = cmd.on));
        return undefined;
      case 'stopLamp':
        this.mutate({ type: 'lamp' }, () => (this.stopLamp = cmd.on));
        return undefined;
      case 'readButton':
        return { type: 'readButton', pressed: this.isButtonPressed(cmd.button, cmd.floor) };
      case 'readFloor':
        return { type: 'readFloor', floor: this.car.floorSensor(this.catchUp()) };
      case 'readStop':
        return { type: 'readStop', pressed: this.stopButton };
      case 'readObstruction':
        return { type: 'readObstruction', active: this.obstruction };
    }
  }

  /** Stops the timer and drops listeners. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}
