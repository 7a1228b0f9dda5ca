/**
 * Shared vocabulary of elevator-mesh. Pure data types only: nothing here imports from `node:*`.
 */

/** Direction the motor is driven in, or the direction a car travels / announces. */
export type Direction = 'up' | 'down' | 'stop';

/** The three buttons of the elevator server protocol, in protocol order (0, 1, 2). */
export type ButtonType = 'hallUp' | 'hallDown' | 'cab';

/** Button types in protocol order: index = protocol button code. */
export const BUTTON_TYPES: readonly ButtonType[] = ['hallUp', 'hallDown', 'cab'];

/** What the car is doing, in the vocabulary of the reference hall-call assigner. */
export type Behaviour = 'idle' | 'moving' | 'doorOpen';

/** Hall calls of a building: `hall[floor] = [up, down]`. */
export type HallMatrix = [boolean, boolean][];

/** Requests one car serves: `requests[floor] = [hallUp, hallDown, cab]`. */
export type RequestMatrix = [boolean, boolean, boolean][];

/** Index of a hall button in a `[up, down]` pair. */
export function hallIndex(button: 'hallUp' | 'hallDown'): 0 | 1 {
  return button === 'hallUp' ? 0 : 1;
}

/** Index of a button in a `[hallUp, hallDown, cab]` triple (the protocol code). */
export function buttonIndex(button: ButtonType): 0 | 1 | 2 {
  return button === 'hallUp' ? 0 : button === 'hallDown' ? 1 : 2;
}

/** An empty request matrix for `floors` floors. */
export function emptyRequests(floors: number): RequestMatrix {
  return Array.from({ length: floors }, () => [false, false, false] as [boolean, boolean, boolean]);
}

/** An empty hall matrix for `floors` floors. */
export function emptyHall(floors: number): HallMatrix {
  return Array.from({ length: floors }, () => [false, false] as [boolean, boolean]);
}
