/**
 * Argument validation for the elevator I/O contract. The reference simulator hangs for good on an
 * out-of-range argument, so every value is checked here, before anything can be sent, and a bad
 * one is reported as a programming error with a stable `code`. Shared by the TCP driver and the
 * in-memory fake so both reject exactly the same calls.
 */
import { BUTTON_TYPES, type ButtonType, type Direction } from '../core/types.js';

export { buttonExists } from '../protocol/elevator-frames.js';

/** Stable codes of {@link ElevatorIoArgumentError}. */
export type ElevatorIoArgumentErrorCode =
  'invalid-floor' | 'invalid-button' | 'invalid-direction' | 'invalid-value' | 'nonexistent-button';

/**
 * A caller passed an argument the elevator server must never see (a floor out of range, an unknown
 * button or direction, a non-boolean lamp value, or a lamp lit on a button that does not exist).
 * It is a bug in the caller; nothing was sent.
 */
export class ElevatorIoArgumentError extends Error {
  override readonly name = 'ElevatorIoArgumentError';
  constructor(
    readonly code: ElevatorIoArgumentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Bad configuration of an elevator I/O implementation (number of floors, timings, port). */
export class ElevatorIoConfigError extends Error {
  override readonly name = 'ElevatorIoConfigError';
  readonly code = 'invalid-io-config' as const;
}

/** Largest number of floors the protocol can address (a floor is one byte). */
export const MAX_FLOORS = 255;

/** Throws {@link ElevatorIoConfigError} unless `floors` is an integer in 2..{@link MAX_FLOORS}. */
export function checkFloorCount(floors: unknown): number {
  if (
    typeof floors !== 'number' ||
    !Number.isInteger(floors) ||
    floors < 2 ||
    floors > MAX_FLOORS
  ) {
    throw new ElevatorIoConfigError(
      `floors must be an integer in 2..${MAX_FLOORS}, got ${String(floors)}`,
    );
  }
  return floors;
}

/** Throws unless `floor` is an integer in `0..floors-1`. */
export function checkFloor(floor: unknown, floors: number): number {
  if (typeof floor !== 'number' || !Number.isInteger(floor) || floor < 0 || floor >= floors) {
    throw new ElevatorIoArgumentError(
      'invalid-floor',
      `floor must be an integer in 0..${floors - 1}, got ${String(floor)}`,
    );
  }
  return floor;
}

/** Throws unless `button` is one of {@link BUTTON_TYPES}. */
export function checkButton(button: unknown): ButtonType {
  if (!(BUTTON_TYPES as readonly unknown[]).includes(button)) {
    throw new ElevatorIoArgumentError(
      'invalid-button',
      `button must be one of ${BUTTON_TYPES.join(', ')}, got ${String(button)}`,
    );
  }
  return button as ButtonType;
}

/** Throws unless `dir` is 'up', 'down' or 'stop'. */
export function checkDirection(dir: unknown): Direction {
  if (dir !== 'up' && dir !== 'down' && dir !== 'stop') {
    throw new ElevatorIoArgumentError(
      'invalid-direction',
      `direction must be up, down or stop, got ${String(dir)}`,
    );
  }
  return dir;
}

/** Throws unless `value` is a boolean (a lamp value other than 0/1 hangs the simulator). */
export function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ElevatorIoArgumentError(
      'invalid-value',
      `${what} must be a boolean, got ${String(value)}`,
    );
  }
  return value;
}
