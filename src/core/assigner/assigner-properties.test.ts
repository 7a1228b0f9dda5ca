import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Behaviour, Direction } from '../types.js';
import { ASSIGNER_NAMES, createAssigner } from './assigner-registry.js';
import type { AssignerElevatorState, AssignerInput } from './assigner-types.js';
import { parseAssignerInput } from './assigner-input.js';
import { referenceAssign } from './reference-assigner.js';

// Randomized: the seed is in the suite name; set FC_SEED to replay a failure.
const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() | 0;

const stateArb = (floors: number): fc.Arbitrary<AssignerElevatorState> =>
  fc
    .record({
      behaviour: fc.constantFrom<Behaviour>('idle', 'moving', 'doorOpen'),
      floor: fc.integer({ min: 0, max: floors - 1 }),
      direction: fc.constantFrom<Direction>('up', 'down', 'stop'),
      cabRequests: fc.array(fc.boolean(), { minLength: floors, maxLength: floors }),
    })
    .map((s) => {
      // A moving car must not be heading out of the building (the reference's precondition).
      if (s.behaviour !== 'moving') return s;
      if (s.floor === floors - 1 && s.direction === 'up') return { ...s, direction: 'down' };
      if (s.floor === 0 && s.direction === 'down') return { ...s, direction: 'up' };
      return s;
    });

const inputArb: fc.Arbitrary<AssignerInput> = fc.integer({ min: 2, max: 12 }).chain((floors) =>
  fc.record({
    hallRequests: fc.array(fc.tuple(fc.boolean(), fc.boolean()), {
      minLength: floors,
      maxLength: floors,
    }),
    states: fc
      .uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', '1', '9', '0'), maxLength: 3 }), {
        minLength: 1,
        maxLength: 6,
      })
      .chain((ids) =>
        fc.tuple(...ids.map(() => stateArb(floors))).map((states) => ({ ids, states })),
      )
      .map(({ ids, states }) => Object.fromEntries(ids.map((id, i) => [id, states[i]!]))),
  }),
);

const optionsArb = fc.record({
  travelDuration: fc.integer({ min: 0, max: 10_000 }),
  doorOpenDuration: fc.integer({ min: 0, max: 10_000 }),
  clearRequestType: fc.constantFrom('all' as const, 'inDirn' as const),
});

describe(`assigner properties (seed ${seed})`, () => {
  it('generated inputs are valid reference input', () => {
    fc.assert(
      fc.property(inputArb, (input) => parseAssignerInput(input).ok),
      { seed, numRuns: 200 },
    );
  });

  for (const name of ASSIGNER_NAMES) {
    it(`${name}: every active call to exactly one car, no inactive call, deterministic`, () => {
      fc.assert(
        fc.property(inputArb, optionsArb, (input, options) => {
          const assign = createAssigner(name, options);
          const out = assign(input);
          expect(Object.keys(out).sort()).toEqual(Object.keys(input.states).sort());
          input.hallRequests.forEach((row, floor) =>
            row.forEach((active, button) => {
              const takers = Object.values(out).filter((rows) => rows[floor]?.[button] === true);
              expect(takers.length).toBe(active ? 1 : 0);
            }),
          );
          for (const rows of Object.values(out))
            expect(rows).toHaveLength(input.hallRequests.length);
          // Deterministic: same answer again, and regardless of the order of the states' keys.
          expect(assign(input)).toEqual(out);
          const reversed = {
            ...input,
            states: Object.fromEntries(Object.entries(input.states).reverse()),
          };
          expect(createAssigner(name, options)(reversed)).toEqual(out);
        }),
        { seed, numRuns: 500 },
      );
    });
  }

  it('reference: a lone car gets every active call', () => {
    // With a single car, every active call is that car's.
    fc.assert(
      fc.property(inputArb, (input) => {
        const [id, state] = Object.entries(input.states)[0]!;
        const out = referenceAssign({ ...input, states: { [id]: state } });
        expect(out[id]).toEqual(input.hallRequests);
      }),
      { seed, numRuns: 300 },
    );
  });
});
