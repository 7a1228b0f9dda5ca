/**
 * The nearest-car baseline: each active hall call, on its own, goes to the car physically closest
 * to the call's floor. A moving car counts as half a floor past its last floor, in its direction
 * (it is on its way there). Ties go to the lower id (string order). It ignores direction of
 * travel, cab calls, door state and load, so it is the simple baseline a dispatcher must beat.
 */
import type { Direction } from '../types.js';
import { emptyHall } from '../types.js';
import type { AssignerElevatorState, AssignerInput, AssignerOutput } from './assigner-types.js';
import { sortedElevatorIds } from './elevator-id-order.js';

const STEP: Record<Direction, number> = { up: 1, down: -1, stop: 0 };

/** Where a car is, in floors: its floor, or half a floor past it when moving. */
export function carPosition(state: AssignerElevatorState): number {
  return state.behaviour === 'moving' ? state.floor + STEP[state.direction] / 2 : state.floor;
}

/** The nearest-car assignment of `input`'s hall calls. */
export function nearestCarAssign(input: AssignerInput): AssignerOutput {
  const floors = input.hallRequests.length;
  const ids = sortedElevatorIds(Object.keys(input.states));
  const result: AssignerOutput = {};
  for (const id of ids) result[id] = emptyHall(floors);
  input.hallRequests.forEach((row, floor) => {
    row.forEach((active, button) => {
      if (!active) return;
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const id of ids) {
        const distance = Math.abs(carPosition(input.states[id]!) - floor);
        // Strictly less: on a tie the earlier (lower) id keeps the call.
        if (distance < bestDistance) {
          best = id;
          bestDistance = distance;
        }
      }
      const target = best === undefined ? undefined : result[best]?.[floor];
      if (target !== undefined) target[button] = true;
    });
  });
  return result;
}
