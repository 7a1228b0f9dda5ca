/**
 * The single-elevator rules the reference assigner runs inside each simulated car: where to go
 * next, whether to stop at a floor, and which calls a stop clears. They are the course's classic
 * rules, reproduced as written there (including their quirks) so that the assigner built on them
 * gives the reference's answers. Pure functions over plain data.
 */
import type { Direction, RequestMatrix } from '../types.js';
import type { ClearRequestType } from './assigner-types.js';

/** Index of a button in a request row, in protocol order. */
export type RequestButton = 0 | 1 | 2;

/** Button indices, named. */
export const HALL_UP = 0;
export const HALL_DOWN = 1;
export const CAB = 2;

/** What the rules look at: a car's floor, its direction, and the requests it serves. */
export interface RuleElevator {
  floor: number;
  direction: Direction;
  /** `requests[floor] = [hallUp, hallDown, cab]`. */
  requests: RequestMatrix;
}

function anyAt(e: RuleElevator, floor: number): boolean {
  const row = e.requests[floor];
  return row !== undefined && (row[0] || row[1] || row[2]);
}

/** Some request strictly above the car's floor. */
export function requestsAbove(e: RuleElevator): boolean {
  for (let f = e.floor + 1; f < e.requests.length; f++) if (anyAt(e, f)) return true;
  return false;
}

/** Some request strictly below the car's floor. */
export function requestsBelow(e: RuleElevator): boolean {
  for (let f = 0; f < e.floor; f++) if (anyAt(e, f)) return true;
  return false;
}

/** Some request at the car's floor. */
export function anyRequestsAtFloor(e: RuleElevator): boolean {
  return anyAt(e, e.floor);
}

/**
 * The direction to leave in (or `stop`): keep going while there is work ahead, else serve the
 * floor, else turn. A stopped car prefers down, as in the reference.
 */
export function chooseDirection(e: RuleElevator): Direction {
  if (e.direction === 'up') {
    if (requestsAbove(e)) return 'up';
    if (anyRequestsAtFloor(e)) return 'stop';
    return requestsBelow(e) ? 'down' : 'stop';
  }
  if (requestsBelow(e)) return 'down';
  if (anyRequestsAtFloor(e)) return 'stop';
  return requestsAbove(e) ? 'up' : 'stop';
}

/**
 * Whether a car arriving at its floor stops there: for a call in its direction, a cab call, when
 * nothing is left ahead, or at either end floor. A car with direction `stop` always stops.
 */
export function shouldStop(e: RuleElevator): boolean {
  const row = e.requests[e.floor] ?? [false, false, false];
  const atEnd = e.floor === 0 || e.floor === e.requests.length - 1;
  switch (e.direction) {
    case 'up':
      return row[HALL_UP] || row[CAB] || !requestsAbove(e) || atEnd;
    case 'down':
      return row[HALL_DOWN] || row[CAB] || !requestsBelow(e) || atEnd;
    case 'stop':
      return true;
  }
}

/**
 * The requests a stop at the car's floor clears, in the order the reference clears them.
 * `all`: every request there. `inDirn`: the cab call; then, going up, the up call, or the down
 * call if there is no up call and nothing above (mirrored going down); a car with direction
 * `stop` clears both hall calls. The direction used is the car's direction *as given*.
 */
export function clearedAtFloor(e: RuleElevator, clearType: ClearRequestType): RequestButton[] {
  const row = e.requests[e.floor];
  if (row === undefined) return [];
  const cleared: RequestButton[] = [];
  const clear = (b: RequestButton): void => {
    if (row[b]) cleared.push(b);
  };
  if (clearType === 'all') {
    clear(HALL_UP);
    clear(HALL_DOWN);
    clear(CAB);
    return cleared;
  }
  clear(CAB);
  switch (e.direction) {
    case 'up':
      if (row[HALL_UP]) clear(HALL_UP);
      else if (!requestsAbove(e)) clear(HALL_DOWN);
      break;
    case 'down':
      if (row[HALL_DOWN]) clear(HALL_DOWN);
      else if (!requestsBelow(e)) clear(HALL_UP);
      break;
    case 'stop':
      clear(HALL_UP);
      clear(HALL_DOWN);
      break;
  }
  return cleared;
}
