/**
 * The desired output state of one elevator (motor, lamps, indicator) and the output commands that
 * move the server towards it. Implementations of `ElevatorIo` keep one of these: a setter writes only
 * when the desired state changes, and after a reconnect {@link ElevatorOutputState.resync} lists
 * every command needed to bring a fresh (or restarted) server in line.
 *
 * Every setter validates its arguments first and throws `ElevatorIoArgumentError` on a bad one, so a
 * command that comes out of here is always safe to send.
 */
import { BUTTON_TYPES, buttonIndex, type ButtonType, type Direction } from '../core/types.js';
import {
  ElevatorIoArgumentError,
  buttonExists,
  checkBoolean,
  checkButton,
  checkDirection,
  checkFloor,
  checkFloorCount,
} from './elevator-io-validation.js';
import type { ElevatorCommand } from '../protocol/elevator-frames.js';

/** One output (write) command of the elevator server protocol, as data. */
export type OutputCommand = Extract<
  ElevatorCommand,
  { type: 'motor' | 'buttonLamp' | 'floorIndicator' | 'doorLamp' | 'stopLamp' }
>;

/** A snapshot of every output, as desired by the controller or as seen by a server. */
export interface ElevatorOutputs {
  motor: Direction;
  /** `buttonLamps[floor] = [hallUp, hallDown, cab]`; nonexistent buttons stay false. */
  buttonLamps: [boolean, boolean, boolean][];
  /** The lit floor lamp, or `null` when none has been set yet. */
  floorIndicator: number | null;
  doorLamp: boolean;
  stopLamp: boolean;
}

/** All outputs off, motor stopped, no floor lamp: the state of a server nobody has written to. */
export function initialOutputs(floors: number): ElevatorOutputs {
  return {
    motor: 'stop',
    buttonLamps: Array.from(
      { length: floors },
      () => [false, false, false] as [boolean, boolean, boolean],
    ),
    floorIndicator: null,
    doorLamp: false,
    stopLamp: false,
  };
}

/** A deep copy of `outputs` (so a snapshot handed out cannot be changed behind our back). */
export function copyOutputs(outputs: ElevatorOutputs): ElevatorOutputs {
  return {
    ...outputs,
    buttonLamps: outputs.buttonLamps.map((l) => [...l] as [boolean, boolean, boolean]),
  };
}

/** Applies one output command to a snapshot (what a server does with it). */
export function applyOutput(outputs: ElevatorOutputs, cmd: OutputCommand): void {
  switch (cmd.type) {
    case 'motor':
      outputs.motor = cmd.dir;
      break;
    case 'buttonLamp': {
      const lamps = outputs.buttonLamps[cmd.floor];
      if (lamps) lamps[buttonIndex(cmd.button)] = cmd.on;
      break;
    }
    case 'floorIndicator':
      outputs.floorIndicator = cmd.floor;
      break;
    case 'doorLamp':
      outputs.doorLamp = cmd.on;
      break;
    case 'stopLamp':
      outputs.stopLamp = cmd.on;
      break;
  }
}

/** Desired outputs plus change detection. */
export class ElevatorOutputState {
  readonly floors: number;
  readonly #desired: ElevatorOutputs;

  constructor(floors: number) {
    this.floors = checkFloorCount(floors);
    this.#desired = initialOutputs(floors);
  }

  /** A copy of the desired outputs. */
  snapshot(): ElevatorOutputs {
    return copyOutputs(this.#desired);
  }

  /** The command for the current motor direction (for deliberate re-writes). */
  motorCommand(): OutputCommand {
    return { type: 'motor', dir: this.#desired.motor };
  }

  /** Validates; returns the command to send, or `null` when nothing changed. */
  setMotor(dir: Direction): OutputCommand | null {
    const d = checkDirection(dir);
    if (this.#desired.motor === d) return null;
    this.#desired.motor = d;
    return { type: 'motor', dir: d };
  }

  /**
   * Validates; returns the command to send, or `null` when nothing changed. Turning off the lamp of
   * a button that does not exist (hall up at the top, hall down at the bottom) is accepted as a no-op
   * so callers may sweep whole request matrices; lighting one is a bug (`NONEXISTENT_BUTTON`).
   */
  setButtonLamp(button: ButtonType, floor: number, on: boolean): OutputCommand | null {
    const b = checkButton(button);
    const f = checkFloor(floor, this.floors);
    const v = checkBoolean(on, 'lamp value');
    if (!buttonExists(b, f, this.floors)) {
      if (!v) return null;
      throw new ElevatorIoArgumentError(
        'nonexistent-button',
        `there is no ${b} button at floor ${f} of ${this.floors}`,
      );
    }
    const lamps = this.#desired.buttonLamps[f];
    const i = buttonIndex(b);
    if (!lamps || lamps[i] === v) return null;
    lamps[i] = v;
    return { type: 'buttonLamp', button: b, floor: f, on: v };
  }

  /** Validates; returns the command to send, or `null` when nothing changed. */
  setFloorIndicator(floor: number): OutputCommand | null {
    const f = checkFloor(floor, this.floors);
    if (this.#desired.floorIndicator === f) return null;
    this.#desired.floorIndicator = f;
    return { type: 'floorIndicator', floor: f };
  }

  /** Validates; returns the command to send, or `null` when nothing changed. */
  setDoorLamp(on: boolean): OutputCommand | null {
    const v = checkBoolean(on, 'door lamp value');
    if (this.#desired.doorLamp === v) return null;
    this.#desired.doorLamp = v;
    return { type: 'doorLamp', on: v };
  }

  /** Validates; returns the command to send, or `null` when nothing changed. */
  setStopLamp(on: boolean): OutputCommand | null {
    const v = checkBoolean(on, 'stop lamp value');
    if (this.#desired.stopLamp === v) return null;
    this.#desired.stopLamp = v;
    return { type: 'stopLamp', on: v };
  }

  /**
   * Every command needed to bring a server that may have lost (or never had) our state in line:
   * all existing button lamps, the floor indicator (once one has been set), door and stop lamps,
   * and the motor last, so the car only moves once the lamps tell the truth.
   */
  resync(): OutputCommand[] {
    const cmds: OutputCommand[] = [];
    for (let floor = 0; floor < this.floors; floor++) {
      const lamps = this.#desired.buttonLamps[floor] ?? [false, false, false];
      for (const button of BUTTON_TYPES) {
        if (!buttonExists(button, floor, this.floors)) continue;
        cmds.push({ type: 'buttonLamp', button, floor, on: lamps[buttonIndex(button)] });
      }
    }
    if (this.#desired.floorIndicator !== null) {
      cmds.push({ type: 'floorIndicator', floor: this.#desired.floorIndicator });
    }
    cmds.push({ type: 'doorLamp', on: this.#desired.doorLamp });
    cmds.push({ type: 'stopLamp', on: this.#desired.stopLamp });
    cmds.push({ type: 'motor', dir: this.#desired.motor });
    return cmds;
  }
}
