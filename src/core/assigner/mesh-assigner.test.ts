import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HallMatrix } from '../types.js';
import { parseAssignerInput } from './assigner-input.js';
import type { AssignerElevatorState, AssignerInput } from './assigner-types.js';
import { meshAssign } from './mesh-assigner.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() | 0;

function hall(floors: number, calls: [number, 0 | 1][]): HallMatrix {
  const h: HallMatrix = Array.from({ length: floors }, () => [false, false]);
  for (const [f, d] of calls) h[f]![d] = true;
  return h;
}

function car(
  behaviour: AssignerElevatorState['behaviour'],
  floor: number,
  direction: AssignerElevatorState['direction'],
  floors: number,
  cab: number[] = [],
): AssignerElevatorState {
  return {
    behaviour,
    floor,
    direction,
    cabRequests: Array.from({ length: floors }, (_, f) => cab.includes(f)),
  };
}

function ownerOf(out: Record<string, HallMatrix>, floor: number, d: 0 | 1): string[] {
  return Object.entries(out)
    .filter(([, rows]) => rows[floor]?.[d] === true)
    .map(([id]) => id);
}

describe('mesh assigner', () => {
  it('gives a call to the idle car standing at its floor', () => {
    const input: AssignerInput = {
      hallRequests: hall(10, [[5, 0]]),
      states: { a: car('idle', 0, 'stop', 10), b: car('idle', 5, 'stop', 10) },
    };
    expect(ownerOf(meshAssign(input), 5, 0)).toEqual(['b']);
  });

  it('prefers a car passing by in the call direction over a farther idle one', () => {
    // b is moving up past floor 3 towards its cab call at 9; the up call at 5 is on its way.
    const input: AssignerInput = {
      hallRequests: hall(10, [[5, 0]]),
      states: { a: car('idle', 0, 'stop', 10), b: car('moving', 3, 'up', 10, [9]) },
    };
    expect(ownerOf(meshAssign(input), 5, 0)).toEqual(['b']);
  });

  it('does not give a down call below a car going up with far cab calls to that car', () => {
    const input: AssignerInput = {
      hallRequests: hall(20, [[2, 1]]),
      states: { a: car('idle', 0, 'stop', 20), b: car('moving', 3, 'up', 20, [19]) },
    };
    expect(ownerOf(meshAssign(input), 2, 1)).toEqual(['a']);
  });

  it('spreads two far-apart calls over two idle cars instead of one car taking both', () => {
    const input: AssignerInput = {
      hallRequests: hall(20, [
        [1, 0],
        [18, 1],
      ]),
      states: { a: car('idle', 0, 'stop', 20), b: car('idle', 19, 'stop', 20) },
    };
    const out = meshAssign(input);
    expect(ownerOf(out, 1, 0)).toEqual(['a']);
    expect(ownerOf(out, 18, 1)).toEqual(['b']);
  });

  it('ages are optional: all-zero ages give the same answer as none', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }).chain((floors) =>
          fc.record({
            floors: fc.constant(floors),
            calls: fc.array(
              fc.tuple(fc.integer({ min: 0, max: floors - 1 }), fc.constantFrom<0 | 1>(0, 1)),
            ),
            cars: fc.array(fc.integer({ min: 0, max: floors - 1 }), { minLength: 1, maxLength: 5 }),
          }),
        ),
        ({ floors, calls, cars }) => {
          const states = Object.fromEntries(
            cars.map((f, i) => [`e${i}`, car('idle', f, 'stop', floors)]),
          );
          const input: AssignerInput = { hallRequests: hall(floors, calls), states };
          const zero = {
            ...input,
            hallRequestAges: input.hallRequests.map((): [number, number] => [0, 0]),
          };
          expect(meshAssign(zero)).toEqual(meshAssign(input));
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it(`every call to exactly one car in big buildings (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 }).chain((floors) =>
          fc.record({
            floors: fc.constant(floors),
            hall: fc.array(fc.tuple(fc.boolean(), fc.boolean()), {
              minLength: floors,
              maxLength: floors,
            }),
            ages: fc.array(fc.tuple(fc.nat(300_000), fc.nat(300_000)), {
              minLength: floors,
              maxLength: floors,
            }),
            cars: fc.array(
              fc.record({
                behaviour: fc.constantFrom('idle' as const, 'moving' as const, 'doorOpen' as const),
                floor: fc.integer({ min: 0, max: floors - 1 }),
                direction: fc.constantFrom('up' as const, 'down' as const, 'stop' as const),
                cab: fc.array(fc.integer({ min: 0, max: floors - 1 }), { maxLength: 6 }),
              }),
              { minLength: 1, maxLength: 16 },
            ),
          }),
        ),
        ({ floors, hall: h, ages, cars }) => {
          const states = Object.fromEntries(
            cars.map((c, i) => [String(i), car(c.behaviour, c.floor, c.direction, floors, c.cab)]),
          );
          const input: AssignerInput = { hallRequests: h, states, hallRequestAges: ages };
          const out = meshAssign(input);
          h.forEach((row, f) =>
            row.forEach((active, d) =>
              expect(ownerOf(out, f, d as 0 | 1)).toHaveLength(active ? 1 : 0),
            ),
          );
          expect(meshAssign(input)).toEqual(out);
        },
      ),
      { seed, numRuns: 150 },
    );
  });

  it('the input schema accepts hallRequestAges, one pair per floor', () => {
    const base = { hallRequests: hall(3, [[1, 0]]), states: { a: car('idle', 0, 'stop', 3) } };
    const ok = parseAssignerInput({
      ...base,
      hallRequestAges: [
        [0, 0],
        [1500, 0],
        [0, 0],
      ],
    });
    expect(ok.ok && ok.value.hallRequestAges?.[1]).toEqual([1500, 0]);
    expect(parseAssignerInput({ ...base, hallRequestAges: [[0, 0]] }).ok).toBe(false);
    expect(
      parseAssignerInput({
        ...base,
        hallRequestAges: [
          [0, -1],
          [0, 0],
          [0, 0],
        ],
      }).ok,
    ).toBe(false);
  });
});
