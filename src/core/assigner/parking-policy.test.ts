import { describe, expect, it } from 'vitest';
import type { AssignerElevatorState, AssignerInput } from './assigner-types.js';
import { homeFloors, parkingTargets } from './parking-policy.js';

function state(
  floor: number,
  behaviour: AssignerElevatorState['behaviour'] = 'idle',
  cab: number[] = [],
): AssignerElevatorState {
  return {
    behaviour,
    floor,
    direction: behaviour === 'moving' ? 'up' : 'stop',
    cabRequests: Array.from({ length: 10 }, (_, f) => cab.includes(f)),
  };
}

function input(states: Record<string, AssignerElevatorState>): AssignerInput {
  return { hallRequests: Array.from({ length: 10 }, () => [false, false]), states };
}

describe('parking policy (proposal)', () => {
  it('homes: the lobby first, then farthest-point spreading', () => {
    expect(homeFloors(1, 10)).toEqual([0]);
    expect(homeFloors(3, 10)).toEqual([0, 9, 4]);
    expect(homeFloors(5, 3)).toEqual([0, 2, 1]);
  });

  it('the free car nearest the lobby goes there; cars at home stay', () => {
    const t = parkingTargets(input({ a: state(6), b: state(2), c: state(9) }), {});
    // Lobby <- b (nearest), top (9) <- c is there already, middle (4) <- a.
    expect(t).toEqual({ b: 0, a: 4 });
  });

  it('busy cars (cab calls, assigned hall calls, open door) are not parked', () => {
    const hall = Array.from({ length: 10 }, (): [boolean, boolean] => [false, false]);
    hall[5] = [true, false];
    const t = parkingTargets(
      input({ a: state(6, 'idle', [8]), b: state(3), c: state(7, 'doorOpen'), d: state(5) }),
      { b: hall },
    );
    expect(t).toEqual({ d: 0 });
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
});
