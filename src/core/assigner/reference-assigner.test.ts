import { describe, expect, it } from 'vitest';
import type { Behaviour, Direction, HallMatrix } from '../types.js';
import type { AssignerElevatorState, AssignerInput, AssignerOutput } from './assigner-types.js';
import { referenceAssign } from './reference-assigner.js';

// Scenarios derived by hand from the reference's rules (default times: travel 2500, door 3000).

type Car = [Behaviour, number, Direction, number[]?];

function car([behaviour, floor, direction, cab = []]: Car, floors: number): AssignerElevatorState {
  const cabRequests = Array.from({ length: floors }, (_, f) => cab.includes(f));
  return { behaviour, floor, direction, cabRequests };
}

/** `calls` as "floor:u" / "floor:d" strings; `floors` floors. */
function input(floors: number, calls: string[], cars: Record<string, Car>): AssignerInput {
  const hallRequests: HallMatrix = Array.from({ length: floors }, (_, f) => [
    calls.includes(`${f}:u`),
    calls.includes(`${f}:d`),
  ]);
  const states = Object.fromEntries(Object.entries(cars).map(([id, c]) => [id, car(c, floors)]));
  return { hallRequests, states };
}

/** The output as "floor:u" / "floor:d" lists per car. */
function calls(output: AssignerOutput): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(output).map(([id, rows]) => [
      id,
      rows.flatMap(([u, d], f) => [...(u ? [`${f}:u`] : []), ...(d ? [`${f}:d`] : [])]),
    ]),
  );
}

describe('referenceAssign', () => {
  it('gives the documented example its documented answer', () => {
    const out = referenceAssign(
      input(4, ['1:u', '3:d'], { one: ['moving', 2, 'up', [2, 3]], two: ['idle', 0, 'stop'] }),
    );
    expect(calls(out)).toEqual({ one: ['3:d'], two: ['1:u'] });
  });

  it('a door-open car first spends half a door time (more than 0, less than a travel time)', () => {
    // "a" (door open at 0) and "b" (idle at 2) are one floor from the call: the door costs "a" it.
    expect(
      calls(
        referenceAssign(input(4, ['1:u'], { a: ['doorOpen', 0, 'stop'], b: ['idle', 2, 'stop'] })),
      ),
    ).toEqual({ a: [], b: ['1:u'] });
    // With "b" two floors away, 1500 + 2500 < 5000: "a" wins.
    expect(
      calls(
        referenceAssign(input(4, ['1:u'], { a: ['doorOpen', 0, 'stop'], b: ['idle', 3, 'stop'] })),
      ),
    ).toEqual({ a: ['1:u'], b: [] });
  });

  it('a moving car is advanced half a travel time to the next floor', () => {
    // "b" is at floor 1 after 1250 ms, before "a" gets there at 2500 ms, despite the higher id.
    expect(
      calls(referenceAssign(input(4, ['1:u'], { a: ['idle', 2, 'stop'], b: ['moving', 0, 'up'] }))),
    ).toEqual({ a: [], b: ['1:u'] });
  });

  it('a moving car toward the call beats a door-open car as far away', () => {
    expect(
      calls(
        referenceAssign(
          input(4, ['0:u'], { '27': ['moving', 1, 'down'], '20': ['doorOpen', 1, 'down'] }),
        ),
      ),
    ).toEqual({ '27': ['0:u'], '20': [] });
  });

  it('an idle car takes the calls at its floor at once; of two such cars the later id keeps them', () => {
    // The idle car with a cab call far away still takes the call where it stands.
    expect(
      calls(
        referenceAssign(input(4, ['1:d'], { a: ['moving', 0, 'up'], b: ['idle', 1, 'stop', [3]] })),
      ),
    ).toEqual({ a: [], b: ['1:d'] });
    // The reference's initial step overwrites: the later id in string order holds both calls.
    expect(
      calls(
        referenceAssign(
          input(4, ['1:u', '1:d'], { a: ['idle', 1, 'stop'], b: ['idle', 1, 'stop'] }),
        ),
      ),
    ).toEqual({ a: [], b: ['1:u', '1:d'] });
  });

  it('ties go to the lower id in string order ("10" before "9")', () => {
    const out = referenceAssign(
      input(4, ['2:u'], { '9': ['idle', 0, 'stop'], '10': ['idle', 0, 'stop'] }),
    );
    expect(calls(out)).toEqual({ '10': ['2:u'], '9': [] });
    const out2 = referenceAssign(
      input(4, ['2:u'], { b: ['idle', 0, 'stop'], a: ['idle', 0, 'stop'] }),
    );
    expect(calls(out2)).toEqual({ a: ['2:u'], b: [] });
  });

  it('identical cars: every call to the lowest id that can take it', () => {
    const out = referenceAssign(
      input(4, ['0:u', '3:d'], {
        '1': ['moving', 1, 'up', [0]],
        '2': ['idle', 1, 'stop', [0]],
        '3': ['idle', 1, 'stop', [0]],
      }),
    );
    expect(calls(out)).toEqual({ '1': ['3:d'], '2': ['0:u'], '3': [] });
  });

  describe('the special case: calls straight to cab-call-free cars standing at their floor', () => {
    // After the initial step "a" is at floor 1 (going up) and "b" at floor 2 (going down). The race
    // alone would swap them: "a" passes floor 1 for the up call at 2, "b" passes 2 for the down
    // call at 1. The special case hands each call to the car already there.
    const cars: Record<string, Car> = { a: ['moving', 0, 'up'], b: ['moving', 3, 'down'] };
    it('applies when no car has cab calls and no floor has both calls', () => {
      expect(calls(referenceAssign(input(6, ['1:d', '2:u'], cars)))).toEqual({
        a: ['1:d'],
        b: ['2:u'],
      });
    });
    it('does not apply when any car has a cab call', () => {
      const withCab = { ...cars, b: ['moving', 3, 'down', [0]] as Car };
      expect(calls(referenceAssign(input(6, ['1:d', '2:u'], withCab)))).toEqual({
        a: ['2:u'],
        b: ['1:d'],
      });
    });
    it('does not apply when some floor has both hall calls active (even taken ones)', () => {
      // "c" takes both calls at floor 4 in its initial step and is too late to move again.
      const withC = { ...cars, c: ['idle', 4, 'stop'] as Car };
      expect(calls(referenceAssign(input(6, ['1:d', '2:u', '4:u', '4:d'], withC)))).toEqual({
        a: ['2:u'],
        b: ['1:d'],
        c: ['4:u', '4:d'],
      });
    });
  });

  describe('clearRequestType', () => {
    // "one" goes up from 0 and stops at 1 for the up call; "two" comes down from 3.
    const scenario = input(4, ['1:u', '1:d', '2:u'], {
      one: ['idle', 0, 'down'],
      two: ['idle', 3, 'down'],
    });
    it('inDirn (default): a stop takes only the calls in its direction', () => {
      expect(calls(referenceAssign(scenario))).toEqual({ one: ['1:u', '2:u'], two: ['1:d'] });
      expect(calls(referenceAssign(scenario, { clearRequestType: 'inDirn' }))).toEqual({
        one: ['1:u', '2:u'],
        two: ['1:d'],
      });
    });
    it('all: a stop takes every call at the floor', () => {
      expect(calls(referenceAssign(scenario, { clearRequestType: 'all' }))).toEqual({
        one: ['1:u', '1:d'],
        two: ['2:u'],
      });
    });
  });

  it('an idle car with work ahead passes a call in the wrong direction', () => {
    const out = referenceAssign(
      input(4, ['1:d', '2:u'], { '1': ['idle', 0, 'stop', [2]], '2': ['idle', 3, 'stop'] }),
    );
    expect(calls(out)).toEqual({ '1': ['2:u'], '2': ['1:d'] });
  });

  it('travel and door durations change the outcome', () => {
    // "a": door open at 0 (half a door), one floor; "b": idle, two floors away.
    const scenario = input(4, ['1:u'], { a: ['doorOpen', 0, 'stop'], b: ['idle', 3, 'stop'] });
    expect(calls(referenceAssign(scenario))).toEqual({ a: ['1:u'], b: [] });
    // A 10 s door: 5000 + 2500 > 2 * 2500.
    expect(calls(referenceAssign(scenario, { doorOpenDuration: 10_000 }))).toEqual({
      a: [],
      b: ['1:u'],
    });
    // Slow travel makes the extra floor dominate again.
    expect(
      calls(referenceAssign(scenario, { doorOpenDuration: 10_000, travelDuration: 6000 })),
    ).toEqual({ a: ['1:u'], b: [] });
  });

  it("includeCab adds each car's own cab calls as a third column", () => {
    const out = referenceAssign(
      input(3, ['2:d'], { a: ['idle', 0, 'stop', [1]], b: ['idle', 2, 'stop', [0, 2]] }),
      { includeCab: true },
    );
    expect(out).toEqual({
      a: [
        [false, false, false],
        [false, false, true],
        [false, false, false],
      ],
      b: [
        [false, false, true],
        [false, false, false],
        [false, true, true],
      ],
    });
  });

  it('does not modify its input', () => {
    const scenario = input(4, ['1:u', '3:d'], {
      a: ['moving', 1, 'up', [2]],
      b: ['idle', 0, 'stop', [3]],
    });
    const before = structuredClone(scenario);
    referenceAssign(scenario, { clearRequestType: 'all' });
    expect(scenario).toEqual(before);
  });
});
