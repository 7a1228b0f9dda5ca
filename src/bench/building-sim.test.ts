import { describe, expect, it } from 'vitest';
import { ASSIGNER_NAMES, createAssigner } from '../core/assigner/assigner-registry.js';
import { parkingFloor } from '../core/assigner/parking-policy.js';
import { CarPhysics } from '../sim/car-physics.js';
import { reachBoundMs, runBuildingSim, runStrategySim, spreadStartFloors } from './building-sim.js';
import type { SimTrace } from './building-sim.js';
import type { Passenger } from './traffic.js';
import { generateTraffic } from './traffic.js';

// The reference car: leaving a floor from rest 500 ms, then 2000 ms to the next floor; passing a
// floor 500 ms + 2000 ms; so k floors from rest take 2500 * k ms. The door stays open 3000 ms.
const FLOOR_MS = 2500;
const DOOR_MS = 3000;

function pax(id: number, time: number, origin: number, destination: number): Passenger {
  return { id, time, origin, destination };
}

function run(
  cars: number,
  floors: number,
  passengers: Passenger[],
  startFloors: number[],
  assigner = 'reference',
  capacity = 8,
): SimTrace {
  return runBuildingSim({
    cars,
    floors,
    passengers,
    assign: createAssigner(assigner),
    maxTimeMs: 3_600_000,
    startFloors,
    capacity,
    wallClock: () => 0,
  });
}

describe('benchmark building simulation', () => {
  for (const name of ASSIGNER_NAMES) {
    it(`${name}: one call in an empty building waits exactly the travel time`, () => {
      // Car idle at 0; a passenger at floor 3 going down to 0 at t = 1000.
      const t = run(1, 4, [pax(0, 1000, 3, 0)], [0], name);
      const p = t.passengers[0]!;
      expect(p.boardAt).toBe(1000 + 3 * FLOOR_MS);
      // Door time at the pick-up, then 3 floors down.
      expect(p.alightAt).toBe(1000 + 3 * FLOOR_MS + DOOR_MS + 3 * FLOOR_MS);
      expect(p.boundWaitMs).toBe(3 * FLOOR_MS);
      expect(t.cars[0]).toEqual({ id: '1', floorsTravelled: 6, stops: 2 });
      expect(t.hallCallsPressed).toBe(1);
      expect(t.flips).toBe(0);
    });
  }

  it('the nearer of two idle cars comes: 2 floors away, 5000 ms', () => {
    const t = run(2, 10, [pax(0, 0, 7, 0)], [0, 9]);
    expect(t.passengers[0]!.boardAt).toBe(2 * FLOOR_MS);
    expect(t.passengers[0]!.car).toBe('2');
  });

  it('a passenger at the floor of an idle car boards at once', () => {
    const t = run(1, 4, [pax(0, 500, 2, 3)], [2]);
    expect(t.passengers[0]!.boardAt).toBe(500);
    expect(t.passengers[0]!.alightAt).toBe(500 + DOOR_MS + FLOOR_MS);
  });

  it('a passenger boards only a car announcing their direction', () => {
    // A (0->2) and C (0->4) board at 0; B waits at 2 to go down. The car stops at 2 on its way up
    // (announcing up: A gets out) and B must stay; B boards when the car comes back down.
    const t = run(1, 5, [pax(0, 0, 0, 2), pax(1, 0, 0, 4), pax(2, 1000, 2, 0)], [0]);
    const [a, c, b] = t.passengers;
    expect(a!.boardAt).toBe(0);
    expect(a!.alightAt).toBe(DOOR_MS + 2 * FLOOR_MS); // 8000: door open at 2 announcing up
    expect(c!.alightAt).toBe(8000 + DOOR_MS + 2 * FLOOR_MS); // 16000
    expect(b!.boardAt).toBe(16000 + DOOR_MS + 2 * FLOOR_MS); // 24000, not 8000
    expect(b!.alightAt).toBe(24000 + DOOR_MS + 2 * FLOOR_MS);
  });

  it('a full car leaves people behind; they press again and the car comes back', () => {
    const t = run(1, 3, [pax(0, 0, 0, 2), pax(1, 0, 0, 1)], [0], 'reference', 1);
    const [first, second] = t.passengers;
    expect(first!.boardAt).toBe(0);
    expect(first!.alightAt).toBe(DOOR_MS + 2 * FLOOR_MS);
    // Back down (door 3000 at floor 2, then 2 floors), then it opens for the second one.
    expect(second!.boardAt).toBe(DOOR_MS + 2 * FLOOR_MS + DOOR_MS + 2 * FLOOR_MS);
    expect(t.hallCallsPressed).toBe(2);
  });

  it('is deterministic for a seed, and serves everyone', () => {
    const passengers = generateTraffic({
      pattern: 'lunch',
      cars: 3,
      floors: 8,
      intensity: 1,
      durationMs: 600_000,
      seed: 42,
      timings: { floorMs: FLOOR_MS, doorMs: DOOR_MS },
    });
    expect(passengers.length).toBeGreaterThan(50);
    const a = run(3, 8, passengers, spreadStartFloors(3, 8), 'mesh');
    const b = run(3, 8, passengers, spreadStartFloors(3, 8), 'mesh');
    expect(b).toEqual(a);
    expect(a.passengers.every((p) => p.alightAt !== null)).toBe(true);
    for (const p of a.passengers) {
      expect(p.boardAt!).toBeGreaterThanOrEqual(p.time + p.boundWaitMs);
      expect(p.alightAt! - p.time).toBeGreaterThanOrEqual(p.boundTripMs);
    }
  });

  it('reachBoundMs: stopped cars need a full floor time per floor; moving ones at most half ahead', () => {
    const car = new CarPhysics({ floors: 10, travelMs: 2000, passingMs: 500, start: { floor: 2 } });
    expect(reachBoundMs(car, 6, 0)).toBe(4 * FLOOR_MS);
    car.setMotor('up', 0);
    // Between 2 and 3 at t = 1000: it reaches 3 at 2500 (1500 later); the bound must not exceed it.
    expect(reachBoundMs(car, 3, 1000)).toBeLessThanOrEqual(1500);
    expect(reachBoundMs(car, 6, 1000)).toBeLessThanOrEqual(1500 + 3 * FLOOR_MS);
  });

  it('parking: a free car drives to the lobby without opening its door, the other stays at its home', () => {
    const t = runBuildingSim({
      cars: 2,
      floors: 10,
      passengers: [],
      assign: createAssigner('mesh'),
      maxTimeMs: 600_000,
      startFloors: [5, 9],
      park: parkingFloor,
      wallClock: () => 0,
    });
    expect(t.cars).toEqual([
      { id: '1', floorsTravelled: 5, stops: 0 },
      { id: '2', floorsTravelled: 0, stops: 0 },
    ]);
    // It starts at once (leaving the floor takes the passing time) and stops at the lobby.
    expect(t.endMs).toBe(5 * FLOOR_MS);
    expect(t.parkRetargets).toBe(0);
  });

  it('+park<N>s (runStrategySim): the second car leaves for the top home only after idling N s', () => {
    // Two cars at the lobby, no passengers: the homes are the lobby (the first car is there) and
    // floor 9, 9 floors of 2.5 s away.
    const run = (name: string) =>
      runStrategySim(name, {
        cars: 2,
        floors: 10,
        passengers: [],
        startFloors: [0, 0],
        maxTimeMs: 120_000,
        wallClock: () => 0,
      });
    const atOnce = run('mesh+park');
    const after = run('mesh+park30s');
    for (const t of [atOnce, after]) {
      expect(t.cars.map((c) => c.floorsTravelled)).toEqual([0, 9]);
    }
    expect(atOnce.floorArrivalsMs?.[0]).toBeLessThan(5_000);
    expect(after.floorArrivalsMs?.[0]).toBeGreaterThanOrEqual(30_000 + 2_500);
    expect(after.floorArrivalsMs?.[8]).toBeLessThanOrEqual(30_000 + 9 * 2_500 + 1_000);
    expect(run('mesh').cars.map((c) => c.floorsTravelled)).toEqual([0, 0]);
  });

  it('spreads start floors evenly', () => {
    expect(spreadStartFloors(3, 10)).toEqual([0, 5, 9]);
    expect(spreadStartFloors(1, 10)).toEqual([0]);
  });
});
