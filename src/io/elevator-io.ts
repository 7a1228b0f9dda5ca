/**
 * The elevator I/O contract: what a controller needs from "the elevator", whether that is the
 * TCP elevator server (lab hardware, the reference simulator, our simulator) or an in-memory fake.
 * Implementations: `tcp-elevator-driver.ts` (real), `src/testing/fake-elevator-io.ts` (in-memory).
 * Both pass the shared compliance suite in `src/testing/elevator-io-compliance.ts`.
 */
import type { ButtonType, Direction } from '../core/types.js';

/** Something that happened at the elevator, reported by the driver. */
export type ElevatorInputEvent =
  /** A button went from released to pressed (rising edge). */
  | { type: 'button'; button: ButtonType; floor: number }
  /**
   * The floor sensor: a floor number, or `null` between floors. Reported on every change, in the
   * order read, and once more, changed or not, after every motor command (a change, a re-assert,
   * the resync after a connect), from a reading the server took after it had the command. The
   * state machine opens the door only on such a reading (src/core/elevator-fsm.ts).
   */
  | { type: 'floor'; floor: number | null }
  /** The obstruction switch changed. */
  | { type: 'obstruction'; active: boolean }
  /** The stop button changed. */
  | { type: 'stopButton'; pressed: boolean }
  /** The connection to the elevator server was made (after which all inputs are re-reported) or lost. */
  | { type: 'connection'; connected: boolean };

/** Output and input of one elevator. Outputs are desired state; the driver writes only on change. */
export interface ElevatorIo {
  /** Number of floors the driver validates against. */
  readonly floors: number;
  /** Whether the elevator server currently answers. */
  readonly connected: boolean;
  /** Connects (and keeps reconnecting until `stop`). Resolves once the first attempt has been made. */
  start(): Promise<void>;
  /** Disconnects for good; the elevator server stops the motor when its client goes away. */
  stop(): Promise<void>;
  setMotor(dir: Direction): void;
  /** Writes the current motor command again even though it did not change (motor-failure recovery). */
  reassertMotor(): void;
  setButtonLamp(button: ButtonType, floor: number, on: boolean): void;
  setFloorIndicator(floor: number): void;
  setDoorLamp(on: boolean): void;
  setStopLamp(on: boolean): void;
  /** Subscribes to input events; returns the unsubscribe function. */
  onEvent(listener: (event: ElevatorInputEvent) => void): () => void;
}
