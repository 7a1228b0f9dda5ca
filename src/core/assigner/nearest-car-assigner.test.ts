import { describe, expect, it } from 'vitest';
import type { AssignerInput } from './assigner-types.js';
import { carPosition, nearestCarAssign } from './nearest-car-assigner.js';

const none = [false, false, false, false, false];

describe('nearestCarAssign', () => {
  it('counts a moving car half a floor past its last floor', () => {
    expect(carPosition({ behaviour: 'moving', floor: 2, direction: 'down', cabRequests: [] })).toBe(
      1.5,
    );
    expect(
      carPosition({ behaviour: 'doorOpen', floor: 2, direction: 'down', cabRequests: [] }),
    ).toBe(2);
  });

  it('gives each call to the nearest car, ties to the lower id in string order', () => {
    const input: AssignerInput = {
      hallRequests: [
        [true, false],
        [false, false],
        [false, true],
        [false, false],
        [false, true],
      ],
      states: {
        '9': { behaviour: 'idle', floor: 1, direction: 'stop', cabRequests: none },
        '10': { behaviour: 'idle', floor: 3, direction: 'stop', cabRequests: none },
        x: { behaviour: 'moving', floor: 3, direction: 'up', cabRequests: none },
      },
    };
    const out = nearestCarAssign(input);
    // Floor 0: "9" (1 floor). Floor 2: "9" and "10" both 1 floor away: "10" sorts first.
    // Floor 4: "x" is 0.5 floors away.
    expect(out).toEqual({
      '10': [
        [false, false],
        [false, false],
        [false, true],
        [false, false],
        [false, false],
      ],
      '9': [
        [true, false],
        [false, false],
        [false, false],
        [false, false],
        [false, false],
      ],
      x: [
        [false, false],
        [false, false],
        [false, false],
        [false, false],
        [false, true],
      ],
    });
  });
});
