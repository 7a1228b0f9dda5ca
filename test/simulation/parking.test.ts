/**
 * Idle-car parking (`mesh+park`) in the deterministic cluster simulation: real controllers over the
 * lossy bus, with the simulator's car physics. Parking is decided by every node from the replicated
 * view, so these tests also show that the nodes agree on it.
 */
import { describe, expect, it } from 'vitest';
import { createDispatch, homeFloors } from '../../src/core/assigner/index.js';
import { ClusterSim } from '../../src/simulation/cluster-sim.js';
import { InvariantChecker } from '../../src/testing/invariants.js';

function cluster(strategy: string, elevators: number, floors: number, seed = 11) {
  const sim = new ClusterSim({ seed, elevators, floors, ...createDispatch(strategy) });
  const checker = new InvariantChecker(sim);
  const doorOpenings: { node: string; floor: number | null }[] = [];
  sim.observe((o) => {
    if (o.kind === 'door' && o.open)
      doorOpenings.push({
        node: o.node,
        floor: sim.node(o.node).controller?.elevator.floor ?? null,
      });
  });
  sim.runUntil(8000);
  return { sim, checker, doorOpenings };
}

/** Where every car stands (its floor sensor), sorted. */
const carFloors = (sim: ClusterSim) =>
  sim.nodes.map((n) => n.car.floorSensor(sim.now)).sort((a, b) => (a ?? -1) - (b ?? -1));

describe('idle-car parking in the cluster (mesh+park)', () => {
  it('idle cars spread to the home floors, doors closed, and stay there', () => {
    const { sim, checker, doorOpenings } = cluster('mesh+park', 3, 10);
    // Every car to floor 5 first, so that they all start from the same place.
    for (const n of sim.nodes) sim.press(n.id, 'cab', 5);
    sim.runUntil(sim.now + 60_000);
    const opened = doorOpenings.length;
    sim.runUntil(sim.now + 60_000);
    expect(homeFloors(3, 10)).toEqual([0, 9, 4]);
    expect(carFloors(sim)).toEqual([0, 4, 9]);
    for (const n of sim.nodes) expect(n.controller?.elevator.behaviour).toBe('idle');
    // Parking opens no door: only the cab calls did.
    expect(doorOpenings.length).toBe(opened);
    // And they stay put: a minute later nothing has moved.
    sim.runUntil(sim.now + 60_000);
    expect(carFloors(sim)).toEqual([0, 4, 9]);
    expect(checker.violations).toEqual([]);
  });

  it('the reference strategy does not park: idle cars stay where they stopped', () => {
    const { sim, checker } = cluster('reference', 3, 10);
    for (const n of sim.nodes) sim.press(n.id, 'cab', 5);
    sim.runUntil(sim.now + 120_000);
    expect(carFloors(sim)).toEqual([5, 5, 5]);
    expect(checker.violations).toEqual([]);
  });

  it('a hall call preempts a parking car and is served; then the cars park again', () => {
    const { sim, checker, doorOpenings } = cluster('mesh+park', 2, 10);
    for (const n of sim.nodes) sim.press(n.id, 'cab', 5);
    // Let the doors close and the cars start towards their homes (0 and 9).
    sim.runUntil(sim.now + 20_000);
    expect(sim.nodes.some((n) => n.controller?.elevator.behaviour === 'moving')).toBe(true);
    const before = doorOpenings.length;
    sim.press('e1', 'hallUp', 6);
    sim.runUntil(sim.now + 60_000);
    const served = doorOpenings.slice(before);
    expect(served.map((d) => d.floor)).toEqual([6]);
    sim.runUntil(sim.now + 60_000);
    expect(carFloors(sim)).toEqual([0, 9]);
    checker.checkAllServed();
    expect(checker.violations).toEqual([]);
  });

  it('a car that loses motor power is left out: the others take the homes, and it parks once it works again', () => {
    const { sim, checker } = cluster('mesh+park', 3, 10);
    for (const n of sim.nodes) sim.press(n.id, 'cab', 5);
    sim.runUntil(sim.now + 120_000);
    expect(carFloors(sim)).toEqual([0, 4, 9]);
    // The car at floor 0 (the lobby, the first home) loses power and is given a call it cannot serve.
    const lobby = sim.nodes.find((n) => n.car.floorSensor(sim.now) === 0);
    if (lobby === undefined) throw new Error('no car at the lobby');
    sim.setMotorPower(lobby.id, false);
    sim.press(lobby.id, 'cab', 3);
    sim.runUntil(sim.now + 120_000);
    // It is out of service: another car takes the lobby, the third the top.
    const others = sim.nodes.filter((n) => n !== lobby).map((n) => n.car.floorSensor(sim.now));
    expect(others.sort((a, b) => (a ?? -1) - (b ?? -1))).toEqual([0, 9]);
    sim.setMotorPower(lobby.id, true);
    sim.runUntil(sim.now + 120_000);
    checker.checkAllServed();
    expect(checker.violations).toEqual([]);
    // Back in service, with its cab call served, the three homes are covered again.
    expect(carFloors(sim)).toEqual([0, 4, 9]);
  });
});

/**
 * A minute on, the cars stand idle at `homes`; another minute on they are still there, no door
 * opened meanwhile, and no invariant was broken.
 */
function expectParkedAtHomes(c: ReturnType<typeof cluster>, homes: number[]): void {
  const { sim, checker, doorOpenings } = c;
  sim.runUntil(sim.now + 60_000);
  const opened = doorOpenings.length;
  expect(carFloors(sim)).toEqual(homes);
  for (const n of sim.nodes) expect(n.controller?.elevator.behaviour).toBe('idle');
  sim.runUntil(sim.now + 60_000);
  expect(carFloors(sim)).toEqual(homes);
  expect(doorOpenings.length).toBe(opened);
  expect(checker.violations).toEqual([]);
}

describe('parking after idling in the cluster (mesh+idle)', () => {
  it('cars reach the same homes, the far ones only after idling, and every node agrees', () => {
    const c = cluster('mesh+idle', 3, 10);
    const { sim } = c;
    for (const n of sim.nodes) sim.press(n.id, 'cab', 5);
    // The cab calls are served by t = 8 s + 5 floors x 2.5 s + 3 s door = 23.5 s. A car bound for
    // the lobby leaves at once; the others idle 1 s per floor (home 9: 4 s; home 4: 1 s) first.
    sim.runUntil(24_500);
    const early = carFloors(sim);
    // The one for the lobby has left floor 5; the one for floor 9 has not (1 s after the door).
    expect(early.filter((f) => f === 5).length).toBeGreaterThanOrEqual(1);
    expectParkedAtHomes(c, [0, 4, 9]);
  });
});

describe('parking after N s of idling in the cluster (mesh+park30s)', () => {
  it('the lobby car leaves at once, the others stay 30 s, then all reach the homes; every node agrees', () => {
    const c = cluster('mesh+park30s', 3, 10);
    const { sim } = c;
    for (const n of sim.nodes) sim.press(n.id, 'cab', 5);
    // Served by t = 23.5 s (as above); the doors close 3 s later. At 50 s the car for the lobby is
    // there and the two others still stand at floor 5, 30 s of idling not yet over.
    sim.runUntil(50_000);
    expect(carFloors(sim)).toEqual([0, 5, 5]);
    expectParkedAtHomes(c, [0, 4, 9]);
  });
});
