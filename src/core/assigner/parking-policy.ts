/**
 * Where idle cars wait: the parking policy. A car with nothing to do drives to a "home" floor with
 * its door closed (the state machine's `park`, see `elevator-fsm.ts`), so that the next call
 * usually finds a car near it. On the dispatch benchmark this is worth far more than any change
 * to the hall-call assignment itself.
 *
 * Agreement: the policy is a pure function of the assigner input (the replicated view every node
 * builds) and the assignment computed from it, so every node that sees the same view computes the
 * same home for every car, and two free cars are never sent to the same home.
 *
 * The policy:
 * - Homes: one per car, in priority order: the lobby (floor 0) first, then each next home as far
 *   as possible from those already chosen (ties: the lower floor).
 * - Free cars: no cab call, no hall call assigned, door closed (idle, or moving with no calls,
 *   which includes a car already on its way to park). Busy cars are not parked: they are on their
 *   way somewhere anyway, and a busy car standing at a home (door open there, say) covers it.
 * - The free cars take as many uncovered homes, highest priority first, matched in floor order:
 *   the lowest free car takes the lowest of those homes, and so on. In one dimension this is the
 *   matching with the least total travel, and it sends the lobby the free car nearest to it.
 *
 * Stability (no parking ping-pong): cars are ordered by where they are, a moving car half a floor
 * past the floor behind it (ties: the lower id). Cars driving to homes matched in floor order never
 * pass each other, so while nothing else changes (the free cars, the covered homes) every car keeps
 * its home all the way there; the only way two cars can swap homes is by standing level while both
 * drive the same way, and then both homes lie ahead of both: nobody turns around.
 */
import type { AssignerElevatorState, AssignerInput, AssignerOutput } from './assigner-types.js';
import { sortedElevatorIds } from './elevator-id-order.js';

/** Homes by building size (`cars x floors`): computed once, as the policy runs on every event. */
const homesCache = new Map<string, readonly number[]>();

/** Homes in priority order: lobby first, then each next one as far as possible from those chosen. */
export function homeFloors(cars: number, floors: number): readonly number[] {
  const key = `${cars}x${floors}`;
  const known = homesCache.get(key);
  if (known !== undefined) return known;
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
  if (homesCache.size >= 256) homesCache.clear();
  homesCache.set(key, homes);
  return homes;
}

/** Whether a car is free to park: no cab call, no hall call assigned to it, door closed. */
export function isFreeToPark(
  state: AssignerElevatorState,
  hall: readonly (readonly [boolean, boolean])[] | undefined,
): boolean {
  return (
    state.behaviour !== 'doorOpen' &&
    !state.cabRequests.some(Boolean) &&
    !(hall ?? []).some(([u, d]) => u || d)
  );
}

/** Where a car is, in floors: a moving car is half a floor past the floor behind it. */
function position(s: AssignerElevatorState): number {
  if (s.behaviour !== 'moving') return s.floor;
  return s.floor + (s.direction === 'up' ? 0.5 : s.direction === 'down' ? -0.5 : 0);
}

/**
 * The home of every free car of `input` (see the module comment): car id -> floor to wait at.
 * Cars that are busy, or free but left without a home, are absent. A car already at its home is
 * included (its target is where it is).
 */
export function parkingTargets(
  input: AssignerInput,
  assignment: AssignerOutput,
): Record<string, number> {
  const floors = input.hallRequests.length;
  const ids = sortedElevatorIds(Object.keys(input.states));
  const free = ids.filter((id) => isFreeToPark(input.states[id]!, assignment[id]));
  // A busy car standing at a home (door open there, say) covers it: nobody else is sent there.
  const covered = new Set(
    ids
      .filter((id) => !free.includes(id) && input.states[id]!.behaviour !== 'moving')
      .map((id) => input.states[id]!.floor),
  );
  const homes = homeFloors(ids.length, floors)
    .filter((h) => !covered.has(h))
    .slice(0, free.length)
    .sort((a, b) => a - b);
  // `ids` is in tie-breaking order and the sort is stable: level cars stay in id order.
  const cars = free
    .map((id) => ({ id, at: position(input.states[id]!) }))
    .sort((a, b) => a.at - b.at);
  const targets: Record<string, number> = {};
  homes.forEach((home, i) => {
    const car = cars[i];
    if (car !== undefined) targets[car.id] = home;
  });
  return targets;
}

/**
 * The park floor of car `id` for its state machine's `requests` event: where it should wait when
 * it has nothing to do, or null when it has calls, is not in the view, or has no home (stay put).
 *
 * Call it with the same input the assignment was computed from, every time the requests are sent:
 * `step(fsm, { type: 'requests', requests, park: parkingFloor(input, assignment, id), now })`.
 * The state machine ignores it while the car has requests, so it is safe to send it always.
 */
export function parkingFloor(
  input: AssignerInput,
  assignment: AssignerOutput,
  id: string,
): number | null {
  const s = input.states[id];
  if (s === undefined || !isFreeToPark(s, assignment[id])) return null;
  return parkingTargets(input, assignment)[id] ?? null;
}
