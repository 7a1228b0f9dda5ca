import { describe, expect, it } from 'vitest';
import type { Direction, RequestMatrix } from '../types.js';
import type { RuleElevator } from './reference-elevator-rules.js';
import {
  CAB,
  HALL_DOWN,
  HALL_UP,
  anyRequestsAtFloor,
  chooseDirection,
  clearedAtFloor,
  requestsAbove,
  requestsBelow,
  shouldStop,
} from './reference-elevator-rules.js';

/** A car at `floor` going `direction` in a 4-floor building; `reqs` as "floor:u|d|c". */
function car(floor: number, direction: Direction, reqs: string[] = []): RuleElevator {
  const requests: RequestMatrix = Array.from({ length: 4 }, (_, f) => [
    reqs.includes(`${f}:u`),
    reqs.includes(`${f}:d`),
    reqs.includes(`${f}:c`),
  ]);
  return { floor, direction, requests };
}

describe('requestsAbove / requestsBelow / anyRequestsAtFloor', () => {
  it('look strictly above, strictly below, and at the floor', () => {
    expect(requestsAbove(car(1, 'stop', ['2:c']))).toBe(true);
    expect(requestsAbove(car(1, 'stop', ['1:u', '0:d']))).toBe(false);
    expect(requestsBelow(car(1, 'stop', ['0:u']))).toBe(true);
    expect(requestsBelow(car(1, 'stop', ['1:d', '3:c']))).toBe(false);
    expect(anyRequestsAtFloor(car(1, 'stop', ['1:d']))).toBe(true);
    expect(anyRequestsAtFloor(car(1, 'stop', ['0:d', '2:u']))).toBe(false);
  });
});

describe('chooseDirection', () => {
  it('keeps going up while there is work above', () => {
    expect(chooseDirection(car(1, 'up', ['3:c', '0:c', '1:u']))).toBe('up');
  });
  it('going up with nothing above: serve the floor, else turn down, else stop', () => {
    expect(chooseDirection(car(1, 'up', ['1:d', '0:c']))).toBe('stop');
    expect(chooseDirection(car(1, 'up', ['0:c']))).toBe('down');
    expect(chooseDirection(car(1, 'up'))).toBe('stop');
  });
  it('going down or stopped prefers down, then the floor, then up', () => {
    for (const dir of ['down', 'stop'] as const) {
      expect(chooseDirection(car(2, dir, ['0:c', '3:c', '2:u']))).toBe('down');
      expect(chooseDirection(car(2, dir, ['2:u', '3:c']))).toBe('stop');
      expect(chooseDirection(car(2, dir, ['3:d']))).toBe('up');
      expect(chooseDirection(car(2, dir))).toBe('stop');
    }
  });
});

describe('shouldStop', () => {
  it('going up: for an up call or a cab call, not for a down call with work above', () => {
    expect(shouldStop(car(1, 'up', ['1:u', '3:c']))).toBe(true);
    expect(shouldStop(car(1, 'up', ['1:c', '3:c']))).toBe(true);
    expect(shouldStop(car(1, 'up', ['1:d', '3:c']))).toBe(false);
    expect(shouldStop(car(1, 'up', ['1:d']))).toBe(true); // nothing above
  });
  it('going down: mirrored', () => {
    expect(shouldStop(car(2, 'down', ['2:d', '0:c']))).toBe(true);
    expect(shouldStop(car(2, 'down', ['2:c', '0:c']))).toBe(true);
    expect(shouldStop(car(2, 'down', ['2:u', '0:c']))).toBe(false);
    expect(shouldStop(car(2, 'down', ['2:u']))).toBe(true);
  });
  it('at an end floor, and always with direction stop', () => {
    expect(shouldStop(car(0, 'down', ['3:c']))).toBe(true);
    expect(shouldStop(car(0, 'up', ['3:c']))).toBe(true);
    expect(shouldStop(car(3, 'down', ['0:c']))).toBe(true);
    expect(shouldStop(car(1, 'stop', ['3:c']))).toBe(true);
  });
});

describe('clearedAtFloor', () => {
  it('all: every request at the floor, in button order', () => {
    expect(clearedAtFloor(car(1, 'up', ['1:u', '1:d', '1:c', '3:c']), 'all')).toEqual([
      HALL_UP,
      HALL_DOWN,
      CAB,
    ]);
    expect(clearedAtFloor(car(1, 'up', ['1:d', '2:c']), 'all')).toEqual([HALL_DOWN]);
  });
  it('inDirn going up: cab and up call; the down call only if nothing is above', () => {
    expect(clearedAtFloor(car(1, 'up', ['1:u', '1:d', '1:c']), 'inDirn')).toEqual([CAB, HALL_UP]);
    expect(clearedAtFloor(car(1, 'up', ['1:d', '1:c', '3:c']), 'inDirn')).toEqual([CAB]);
    expect(clearedAtFloor(car(1, 'up', ['1:d', '1:c']), 'inDirn')).toEqual([CAB, HALL_DOWN]);
  });
  it('inDirn going down: mirrored', () => {
    expect(clearedAtFloor(car(2, 'down', ['2:u', '2:d']), 'inDirn')).toEqual([HALL_DOWN]);
    expect(clearedAtFloor(car(2, 'down', ['2:u', '0:c']), 'inDirn')).toEqual([]);
    expect(clearedAtFloor(car(2, 'down', ['2:u']), 'inDirn')).toEqual([HALL_UP]);
  });
  it('inDirn with direction stop: both hall calls', () => {
    expect(clearedAtFloor(car(2, 'stop', ['2:u', '2:d', '3:c']), 'inDirn')).toEqual([
      HALL_UP,
      HALL_DOWN,
    ]);
  });
  it('does not modify the car', () => {
    const e = car(1, 'up', ['1:u', '1:c']);
    clearedAtFloor(e, 'all');
    expect(e.requests[1]).toEqual([true, false, true]);
  });
});
