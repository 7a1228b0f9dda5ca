/**
 * The assigner's input, built from a view of the building: the one definition the node's controller,
 * the dashboard and the dispatch benchmark share, so that the dashboard shows the decisions the nodes
 * make and the benchmark measures the system the nodes run.
 *
 * Pure: no clock reads, no `node:*`.
 */
import type { AssignerInput } from './assigner/assigner-types.js';
import type { Direction, HallMatrix } from './types.js';

/** One car as a view holds it: its own report (or a peer's last one) and its lit cab calls. */
export interface AssignmentCandidate {
  id: string;
  /** `init`: the car is still finding its floor after start. */
  behaviour: 'init' | 'idle' | 'moving' | 'doorOpen';
  /** The last floor it stood at or passed; null if it does not know yet. */
  floor: number | null;
  direction: Direction;
  /** Whether it can take calls (not failed, not obstructed too long, knows its floor). */
  available: boolean;
  /** One entry per floor: its lit cab calls. */
  cabRequests: readonly boolean[];
}

/**
 * The assigner input for hall calls `hallRequests` (the lit ones) and the cars `candidates` (the
 * alive ones, in the caller's order; the input lists them in that order).
 *
 * Rules:
 * - A car that does not know its floor, or reports one outside the building, is not usable.
 * - The usable cars that are available take the calls; if none is available, the calls stay with
 *   the usable cars rather than with nobody.
 * - A car in `init` counts as moving down (it is driving down to find a floor).
 *
 * `states` is empty when no car is usable; the caller then assigns nothing.
 */
export function assignmentInput(
  hallRequests: HallMatrix,
  candidates: readonly AssignmentCandidate[],
): AssignerInput {
  const floors = hallRequests.length;
  const usable = candidates.filter((c) => c.floor !== null && c.floor < floors);
  const available = usable.filter((c) => c.available);
  const chosen = available.length > 0 ? available : usable;
  const states: AssignerInput['states'] = {};
  for (const c of chosen) {
    states[c.id] = {
      behaviour: c.behaviour === 'init' ? 'moving' : c.behaviour,
      floor: c.floor ?? 0,
      direction: c.behaviour === 'init' ? 'down' : c.direction,
      cabRequests: Array.from({ length: floors }, (_, f) => c.cabRequests[f] ?? false),
    };
  }
  return { hallRequests, states };
}

/** Whether any hall call is lit: without one, no assigner runs and the assignment is empty. */
export function anyHallCall(hallRequests: HallMatrix): boolean {
  return hallRequests.some(([u, d]) => u || d);
}
