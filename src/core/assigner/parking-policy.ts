/**
 * PROPOSAL, not used by the node: where idle cars should wait. Today an idle car stays where its
 * last call left it (the state machine moves only for a call). The dispatch benchmark evaluates
 * this policy with `--assigners mesh+park` to show what a "park" capability would buy.
 *
 * The policy is a pure function of the assigner input, so every node computes the same targets:
 * the building has one home per car, the lobby (floor 0) first and the others by farthest-point
 * spreading; taking the homes in that order, each goes to the nearest still-unplaced free car
 * (ties: lower id). Busy cars are not placed (they are on their way somewhere anyway), but a busy
 * car standing at a home covers it.
 */
import type { AssignerInput } from './assigner-types.js';
import { sortedElevatorIds } from './elevator-id-order.js';

/** Homes in priority order: lobby first, then each next one as far as possible from those chosen. */
export function homeFloors(cars: number, floors: number): number[] {
  const homes = [0];
  while (homes.length < Math.min(cars, floors)) {
    let best = -1;
    let bestGap = -1;
    for (let f = 0; f < floors; f++) {
      const gap = Math.min(...homes.map((h) => Math.abs(h - f)));
      if (gap > bestGap) {
        best = f;
        bestGap = gap;
      }
    }
    homes.push(best);
  }
  return homes;
}

/**
 * Parking targets for the free cars of `input` (no cab call, no hall call assigned in `assignment`,
 * door closed; a car already on its way to park is free too): car id -> floor to wait at. Cars
 * already at their home are left out.
 */
export function parkingTargets(
  input: AssignerInput,
  assignment: Record<string, [boolean, boolean][]>,
): Record<string, number> {
  const floors = input.hallRequests.length;
  const ids = sortedElevatorIds(Object.keys(input.states));
  const freeCars = ids.filter((id) => {
    const s = input.states[id]!;
    const hall = assignment[id] ?? [];
    return (
      s.behaviour !== 'doorOpen' && !s.cabRequests.some(Boolean) && !hall.some(([u, d]) => u || d)
    );
  });
  // A busy car standing at a home (door open there, say) covers it: nobody else is sent there.
  const covered = new Set(
    ids
      .filter((id) => !freeCars.includes(id) && input.states[id]!.behaviour !== 'moving')
      .map((id) => input.states[id]!.floor),
  );
  const targets: Record<string, number> = {};
  const free = [...freeCars];
  for (const home of homeFloors(ids.length, floors)) {
    if (free.length === 0) break;
    if (covered.has(home)) continue;
    let pick = 0;
    for (let i = 1; i < free.length; i++) {
      const d = Math.abs(input.states[free[i]!]!.floor - home);
      if (d < Math.abs(input.states[free[pick]!]!.floor - home)) pick = i;
    }
    const id = free.splice(pick, 1)[0]!;
    if (input.states[id]!.floor !== home) targets[id] = home;
  }
  return targets;
}
