import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../types.js';
import type { AssignerElevatorState, AssignerInput, AssignerOutput } from './assigner-types.js';
import { homeFloors, parkingFloor, parkingTargets } from './parking-policy.js';

function state(
  floor: number,
  behaviour: AssignerElevatorState['behaviour'] = 'idle',
  cab: number[] = [],
  direction: Direction = behaviour === 'moving' ? 'up' : 'stop',
): AssignerElevatorState {
  return {
    behaviour,
    floor,
    direction,
    cabRequests: Array.from({ length: 10 }, (_, f) => cab.includes(f)),
  };
}

function input(states: Record<string, AssignerElevatorState>): AssignerInput {
  return { hallRequests: Array.from({ length: 10 }, () => [false, false]), states };
}

describe('parking policy', () => {
  it('homes: the lobby first, then farthest-point spreading', () => {
    expect(homeFloors(1, 10)).toEqual([0]);
    expect(homeFloors(3, 10)).toEqual([0, 9, 4]);
    expect(homeFloors(5, 3)).toEqual([0, 2, 1]);
  });

  it('the free car nearest the lobby goes there; a car at its home is told to stay there', () => {
    const i = input({ a: state(6), b: state(2), c: state(9) });
    // Homes 0, 9, 4 matched in floor order: b (lowest) -> 0, a -> 4, c (highest, already there) -> 9.
    expect(parkingTargets(i, {})).toEqual({ b: 0, c: 9, a: 4 });
    expect(parkingFloor(i, {}, 'b')).toBe(0);
    expect(parkingFloor(i, {}, 'c')).toBe(9);
  });

  it('busy cars (cab calls, assigned hall calls, open door) are not parked: their park floor is null', () => {
    const hall = Array.from({ length: 10 }, (): [boolean, boolean] => [false, false]);
    hall[5] = [true, false];
    const i = input({
      a: state(6, 'idle', [8]),
      b: state(3),
      c: state(7, 'doorOpen'),
      d: state(5),
    });
    const assignment: AssignerOutput = { b: hall };
    expect(parkingTargets(i, assignment)).toEqual({ d: 0 });
    for (const id of ['a', 'b', 'c']) expect(parkingFloor(i, assignment, id)).toBe(null);
    expect(parkingFloor(i, assignment, 'd')).toBe(0);
  });

  it('a car not in the view gets no park floor', () => {
    expect(parkingFloor(input({ a: state(3) }), {}, 'zz')).toBe(null);
  });

  it('a busy car standing at a home covers it', () => {
    // a serves at the lobby with its door open: b is sent to the next home (9), not the lobby.
    expect(parkingTargets(input({ a: state(0, 'doorOpen'), b: state(5) }), {})).toEqual({ b: 9 });
  });

  it('is deterministic whatever the key order', () => {
    const s = { x: state(3), y: state(3), z: state(8, 'moving') };
    const reversed = Object.fromEntries(Object.entries(s).reverse());
    expect(parkingTargets(input(reversed), {})).toEqual(parkingTargets(input(s), {}));
  });

  it('a moving car counts half a floor past the floor behind it', () => {
    // b drives down from 4 towards the lobby; a stands idle at 4: b is the lower one.
    const moving = input({ a: state(4), b: state(4, 'moving', [], 'down') });
    expect(parkingTargets(moving, {})).toEqual({ b: 0, a: 9 });
    const up = input({ a: state(4, 'moving', [], 'up'), b: state(4) });
    expect(parkingTargets(up, {})).toEqual({ b: 0, a: 9 });
  });

  it('more free cars than uncovered homes: the lowest-priority homes stay empty, never two cars on one', () => {
    const i = input({ a: state(0, 'doorOpen'), b: state(3), c: state(8) });
    // Homes 0 (covered by a), 9, 4: b -> 4, c -> 9.
    expect(parkingTargets(i, {})).toEqual({ b: 4, c: 9 });
  });

  it('no ping-pong: as free cars drive to their homes floor by floor, in any order, none is ever sent back', () => {
    const seed = Date.now() | 0;
    console.log(`parking stability property seed: ${seed}`);
    const caseArb = fc.record({
      floors: fc.integer({ min: 2, max: 30 }),
      starts: fc.array(fc.nat(29), { minLength: 1, maxLength: 8 }),
      order: fc.array(fc.nat(7), { minLength: 120, maxLength: 120 }),
    });
    fc.assert(
      fc.property(caseArb, ({ floors, starts, order }) => {
        const cars = starts.map((f, i) => ({ id: `c${i}`, s: state(f % floors) }));
        const view = (): AssignerInput => ({
          hallRequests: Array.from({ length: floors }, () => [false, false]),
          states: Object.fromEntries(
            cars.map((c) => [
              c.id,
              { ...c.s, cabRequests: new Array<boolean>(floors).fill(false) },
            ]),
          ),
        });
        let targets = parkingTargets(view(), {});
        const homes = Object.values(targets).sort((a, b) => a - b);
        // Each step one car (not in lockstep) moves one floor towards its target, as the FSM does.
        for (const k of order) {
          const car = cars[k % cars.length]!;
          const target = targets[car.id];
          if (target === undefined || target === car.s.floor) {
            car.s = { ...car.s, behaviour: 'idle', direction: 'stop' };
          } else {
            const dir = target > car.s.floor ? 'up' : 'down';
            const next = car.s.floor + (dir === 'up' ? 1 : -1);
            car.s =
              next === target
                ? { ...car.s, floor: next, behaviour: 'idle', direction: 'stop' }
                : { ...car.s, floor: next, behaviour: 'moving', direction: dir };
          }
          const next = parkingTargets(view(), {});
          // The same homes stay taken, and no moving car is given a home behind it.
          expect(Object.values(next).sort((a, b) => a - b)).toEqual(homes);
          for (const c of cars) {
            const t = next[c.id];
            if (c.s.behaviour !== 'moving' || t === undefined) continue;
            if (c.s.direction === 'up') expect(t).toBeGreaterThan(c.s.floor);
            else expect(t).toBeLessThan(c.s.floor);
          }
          targets = next;
        }
        // And they all arrive: every car ends at rest at its home.
        for (let round = 0; round < floors * cars.length; round++) {
          for (const car of cars) {
            const t = targets[car.id];
            if (t === undefined || t === car.s.floor) continue;
            const next = car.s.floor + (t > car.s.floor ? 1 : -1);
            car.s = {
              ...car.s,
              floor: next,
              behaviour: next === t ? 'idle' : 'moving',
              direction: next === t ? 'stop' : t > next ? 'up' : 'down',
            };
          }
          targets = parkingTargets(view(), {});
        }
        for (const c of cars)
          if (targets[c.id] !== undefined) expect(c.s.floor).toBe(targets[c.id]);
      }),
      { numRuns: 150, seed },
    );
  });
});
