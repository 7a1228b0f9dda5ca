/**
 * The single-elevator rules of elevator-mesh: where a car goes next, where it stops, and which
 * calls it clears when it opens its door. Pure functions over a request matrix.
 *
 * They differ from the classic course rules in one place on purpose: a car never clears both hall
 * directions at one floor at once (requirements §5). It announces one direction, and only a later
 * door cycle announces the other.
 */
import type { Direction, RequestMatrix } from './types.js';

/** Whether any request lies strictly above `floor`. */
export function requestsAbove(requests: RequestMatrix, floor: number): boolean {
  for (let f = floor + 1; f < requests.length; f++) {
    const r = requests[f];
    if (r !== undefined && (r[0] || r[1] || r[2])) return true;
  }
  return false;
}

/** Whether any request lies strictly below `floor`. */
export function requestsBelow(requests: RequestMatrix, floor: number): boolean {
  for (let f = 0; f < floor && f < requests.length; f++) {
    const r = requests[f];
    if (r !== undefined && (r[0] || r[1] || r[2])) return true;
  }
  return false;
}

/** Whether any request (hall or cab) is at `floor`. */
export function requestsHere(requests: RequestMatrix, floor: number): boolean {
  const r = requests[floor];
  return r !== undefined && (r[0] || r[1] || r[2]);
}

/** Whether there is any request at all. */
export function anyRequests(requests: RequestMatrix): boolean {
  return requests.some((r) => r[0] || r[1] || r[2]);
}

/**
 * Whether a car moving in `direction` that reaches `floor` should stop there: a cab call here, a hall
 * call here in its direction, or nothing left ahead of it (it never drives past the last call, and so
 * never past the top or bottom floor).
 */
export function shouldStop(requests: RequestMatrix, floor: number, direction: Direction): boolean {
  const r = requests[floor];
  if (r === undefined) return true;
  switch (direction) {
    case 'up':
      return r[0] || r[2] || !requestsAbove(requests, floor);
    case 'down':
      return r[1] || r[2] || !requestsBelow(requests, floor);
    case 'stop':
      return true;
  }
}

/**
 * The direction a car standing at `floor` announces when it opens its door there, given the direction
 * it came from (or last announced). It keeps its direction while it has a reason to (a hall call here
 * that way, or calls beyond); otherwise it turns to the hall call that is here. `stop` means that no hall
 * call is being answered (a cab-only stop with nothing ahead).
 */
export function announceDirection(
  requests: RequestMatrix,
  floor: number,
  direction: Direction,
): Direction {
  const r = requests[floor];
  if (r === undefined) return direction;
  const [up, down] = r;
  const above = requestsAbove(requests, floor);
  const below = requestsBelow(requests, floor);
  switch (direction) {
    case 'up':
      if (up || above) return 'up';
      return down ? 'down' : 'up';
    case 'down':
      if (down || below) return 'down';
      return up ? 'up' : 'down';
    case 'stop':
      if (up && down) return above || !below ? 'up' : 'down';
      if (up) return 'up';
      if (down) return 'down';
      return 'stop';
  }
}

/** The calls a car clears at `floor` when its door opens announcing `announced`: cab, and the hall call that way. */
export function callsClearedAt(
  requests: RequestMatrix,
  floor: number,
  announced: Direction,
): { hallUp: boolean; hallDown: boolean; cab: boolean } {
  const r = requests[floor];
  if (r === undefined) return { hallUp: false, hallDown: false, cab: false };
  return {
    hallUp: r[0] && announced === 'up',
    hallDown: r[1] && announced === 'down',
    cab: r[2],
  };
}

/** What a car with a closed door at `floor` does next, after travelling (or announcing) `direction`. */
export type NextMove =
  | { kind: 'move'; direction: 'up' | 'down' }
  | { kind: 'announce'; direction: 'up' | 'down' | 'stop' }
  | { kind: 'idle' };

/**
 * Chooses the next move of a car at `floor` whose door is closed (or about to close). It continues in
 * its direction while there are calls ahead; otherwise it answers the calls here (announcing a change
 * of direction), then turns around; with nothing to do it goes idle.
 */
export function chooseNextMove(
  requests: RequestMatrix,
  floor: number,
  direction: Direction,
): NextMove {
  const above = requestsAbove(requests, floor);
  const below = requestsBelow(requests, floor);
  const here = requestsHere(requests, floor);
  switch (direction) {
    case 'up':
      if (above) return { kind: 'move', direction: 'up' };
      if (here) return { kind: 'announce', direction: announceDirection(requests, floor, 'up') };
      if (below) return { kind: 'move', direction: 'down' };
      return { kind: 'idle' };
    case 'down':
      if (below) return { kind: 'move', direction: 'down' };
      if (here) return { kind: 'announce', direction: announceDirection(requests, floor, 'down') };
      if (above) return { kind: 'move', direction: 'up' };
      return { kind: 'idle' };
    case 'stop':
      if (here) return { kind: 'announce', direction: announceDirection(requests, floor, 'stop') };
      if (above) return { kind: 'move', direction: 'up' };
      if (below) return { kind: 'move', direction: 'down' };
      return { kind: 'idle' };
  }
}
