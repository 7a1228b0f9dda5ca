import { describe, expect, it } from 'vitest';
import type { HallMatrix } from '../types.js';
import type { AssignerElevatorState, AssignerInput } from './assigner-types.js';
import { DemandEstimate, adaptiveTargets, createAdaptiveParking } from './adaptive-parking.js';
import { createDispatch } from './dispatch.js';

const FLOORS = 20;

function car(
  floor: number,
  behaviour: AssignerElevatorState['behaviour'] = 'idle',
  cab: number[] = [],
): AssignerElevatorState {
  return {
    behaviour,
    floor,
    direction: behaviour === 'moving' ? 'up' : 'stop',
    cabRequests: Array.from({ length: FLOORS }, (_, f) => cab.includes(f)),
  };
}

function hall(lit: [number, 0 | 1][] = []): HallMatrix {
  const h: HallMatrix = Array.from({ length: FLOORS }, () => [false, false]);
  for (const [f, d] of lit) h[f]![d] = true;
  return h;
}

function view(states: Record<string, AssignerElevatorState>, lit: [number, 0 | 1][] = []) {
  return { hallRequests: hall(lit), states } satisfies AssignerInput;
}

/** Demand: all of it on `floors`, equally. */
function demandOn(floors: number[]): Float64Array {
  const p = new Float64Array(FLOORS);
  for (const f of floors) p[f] = 1 / floors.length;
  return p;
}

const upperFloors = Array.from({ length: FLOORS - 1 }, (_, i) => i + 1);

describe('adaptive parking: demand estimate', () => {
  it('counts a call once when it appears, however often the same view is shown', () => {
    const d = new DemandEstimate(FLOORS, 10);
    d.observe(hall([[3, 0]]));
    d.observe(hall([[3, 0]]));
    d.observe(hall([[3, 0]]));
    const p = d.distribution(0);
    expect(p[3]).toBe(1);
    // The call is served (unlit) and pressed again: a second call, at floor 5 a first one.
    d.observe(hall());
    d.observe(
      hall([
        [3, 0],
        [5, 1],
      ]),
    );
    const q = d.distribution(0);
    // Counts: floor 3: 1 * 0.9 + 1 (then * 0.9 for the call at 5), floor 5: 1.
    expect(q[3]! / q[5]!).toBeCloseTo(((1 * 0.9 + 1) * 0.9) / 1, 9);
  });

  it('the prior spreads over every floor before any call is seen', () => {
    const p = new DemandEstimate(4, 10).distribution(2);
    expect([...p]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('adaptive parking: targets', () => {
  it('up-peak (demand at the lobby): a free car high up parks at the lobby', () => {
    const t = adaptiveTargets(view({ a: car(15) }), {}, demandOn([0]));
    expect(t).toEqual({ a: 0 });
  });

  it('down-peak: free cars at the lobby spread over the upper floors', () => {
    const t = adaptiveTargets(
      view({ a: car(0), b: car(0), c: car(0) }),
      {},
      demandOn(upperFloors),
      {
        energyWeight: 0,
      },
    );
    const homes = Object.values(t).sort((x, y) => x - y);
    expect(homes).toEqual([4, 10, 16]);
  });

  it('a car declines a home farther than the expected gain', () => {
    // Alone at the lobby; a third of the calls at the lobby, two thirds at the top. The top would
    // cut its expected distance to the next call by 19/3 floors, but the drive adds 2 * 19/3
    // floors to its next trip: with the energy weight 1 it stays, without it goes to the top.
    const input = view({ a: car(0) });
    const p = new Float64Array(FLOORS);
    p[0] = 1 / 3;
    p[19] = 2 / 3;
    expect(adaptiveTargets(input, {}, p, { energyWeight: 1 })).toEqual({ a: 0 });
    expect(adaptiveTargets(input, {}, p, { energyWeight: 0 })).toEqual({ a: 19 });
  });

  it('busy cars (cab call, assigned hall call, open door) get no target', () => {
    const input = view({ a: car(3, 'idle', [9]), b: car(4), c: car(5, 'doorOpen'), d: car(12) }, [
      [7, 0],
    ]);
    const assignment = { b: hall([[7, 0]]) };
    expect(Object.keys(adaptiveTargets(input, assignment, demandOn([0])))).toEqual(['d']);
  });

  it('a car keeps its previous target unless the gain exceeds the hysteresis', () => {
    // Demand on floors 9 and 11: 10 is best, but a car heading for 9 keeps it (gain 0 < 1).
    const input = view({ a: car(5) });
    const p = demandOn([9, 11]);
    expect(adaptiveTargets(input, {}, p, { energyWeight: 0 })).toEqual({ a: 9 });
    expect(adaptiveTargets(input, {}, p, { energyWeight: 0 }, { a: 11 })).toEqual({ a: 11 });
  });

  it('is a pure function of the view: the order of the states does not matter', () => {
    const p = demandOn([0, 0, 5, 12, 19]);
    const one = adaptiveTargets(view({ a: car(2), b: car(8), c: car(17) }), {}, p);
    const two = adaptiveTargets(view({ c: car(17), a: car(2), b: car(8) }), {}, p);
    expect(two).toEqual(one);
  });
});

describe('adaptive parking: the policy', () => {
  it('after seeing up-peak traffic, a free car parks at the lobby; a busy car gets null', () => {
    const park = createAdaptiveParking();
    const busy = car(6, 'moving', [12]);
    // Twenty lobby up-calls, each appearing and then being served.
    for (let i = 0; i < 20; i++) {
      park(view({ a: busy, b: busy }, [[0, 0]]), {}, 'a');
      park(view({ a: busy, b: busy }), {}, 'a');
    }
    expect(park(view({ a: car(14), b: busy }), {}, 'a')).toBe(0);
    expect(park(view({ a: car(14), b: busy }), {}, 'b')).toBe(null);
  });

  it('two nodes fed the same views give every car the same home', () => {
    const nodeA = createAdaptiveParking();
    const nodeB = createAdaptiveParking();
    const views = [
      view({ a: car(0), b: car(19) }, [[12, 1]]),
      view({ a: car(0), b: car(19) }),
      view({ a: car(0), b: car(19) }, [[15, 1]]),
      view({ a: car(0), b: car(19) }),
    ];
    // The memory is kept per car asked about: each node asks about its own car.
    for (const v of views) {
      nodeA(v, {}, 'a');
      nodeB(v, {}, 'b');
    }
    const last = view({ a: car(0), b: car(19) });
    const a = nodeA(last, {}, 'a');
    const b = nodeB(last, {}, 'b');
    // A third node that watched as car a computes what node A did, and the homes differ.
    const nodeC = createAdaptiveParking();
    for (const v of views) nodeC(v, {}, 'a');
    expect(nodeC(last, {}, 'a')).toBe(a);
    expect(a).not.toBe(b);
  });

  it('is the park policy of the +adapt strategies, one memory per strategy made', () => {
    const one = createDispatch('mesh+adapt');
    const two = createDispatch('mesh+adapt');
    expect(one.park).toBeDefined();
    expect(one.park).not.toBe(two.park);
  });
});
