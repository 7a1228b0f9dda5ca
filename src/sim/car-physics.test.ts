import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../core/types.js';
import type { CarStart } from './car-physics.js';
import { CarPhysics, CarPhysicsConfigError } from './car-physics.js';

const REF = { floors: 4, travelMs: 2000, passingMs: 500 };
const car = (start: CarStart, floors = 4): CarPhysics => new CarPhysics({ ...REF, floors, start });

/** Samples the floor sensor at the given instants (in increasing order). */
const sensorAt = (c: CarPhysics, times: number[]): (number | null)[] =>
  times.map((t) => c.floorSensor(t));

describe('CarPhysics (reference simulator rules)', () => {
  it('LEAVE: from rest at floor 1, motor up at t=0 reads 1 until 500, between until 2500, then 2', () => {
    const c = car({ floor: 1 });
    c.setMotor('up', 0);
    expect(sensorAt(c, [0, 499.9, 500, 1000, 2499.9, 2500, 2999.9, 3000])).toEqual([
      1,
      1,
      null,
      null,
      null,
      2,
      2,
      null,
    ]);
  });

  it('PASS: moving continuously one floor takes 2500 ms (floor for 500, between for 2000)', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    // Arrives at 1 at 2500, leaves at 3000, arrives at 2 at 5000, leaves at 5500, at 3 at 7500.
    expect(sensorAt(c, [2500, 2999, 3000, 4999, 5000, 5499, 5500, 7499, 7500])).toEqual([
      1,
      1,
      null,
      null,
      2,
      2,
      null,
      null,
      3,
    ]);
    expect(c.state(7500).lastFloor).toBe(3);
  });

  it('PASS: downwards too', () => {
    const c = car({ floor: 3 });
    c.setMotor('down', 100);
    expect(sensorAt(c, [599, 600, 2599, 2600, 3100, 5100])).toEqual([3, null, null, 2, null, 1]);
  });

  it('nextChangeAt names every sensor change, so a discrete-event simulation can jump to it', () => {
    const c = car({ floor: 1 });
    expect(c.nextChangeAt(0)).toBeUndefined(); // at rest
    c.setMotor('up', 0);
    expect(c.nextChangeAt(0)).toBe(500);
    expect(c.nextChangeAt(499)).toBe(500);
    expect(c.nextChangeAt(500)).toBe(2500);
    expect(c.nextChangeAt(2500)).toBe(3000);
    // Jumping from change to change visits every reading exactly once.
    const c2 = car({ floor: 0 });
    c2.setMotor('up', 0);
    const seen: [number, number | null][] = [];
    let t: number | undefined = 0;
    while (t !== undefined && t < 8000) {
      seen.push([t, c2.floorSensor(t)]);
      t = c2.nextChangeAt(t);
    }
    expect(seen).toEqual([
      [0, 0],
      [500, null],
      [2500, 1],
      [3000, null],
      [5000, 2],
      [5500, null],
      [7500, 3],
    ]);
  });

  it('STOP-AT-FLOOR: stopping while the sensor reads a floor keeps the car there', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    expect(c.floorSensor(2600)).toBe(1);
    c.setMotor('stop', 2600);
    expect(c.nextChangeAt(2600)).toBeUndefined();
    expect(sensorAt(c, [3000, 100_000])).toEqual([1, 1]);
  });

  it('LEAVE restarts from rest: stopped at a floor and restarted, it takes a full passingMs to leave', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    c.setMotor('stop', 2900); // 400 ms into passing floor 1
    c.setMotor('up', 5000);
    expect(sensorAt(c, [5499, 5500])).toEqual([1, null]);
  });

  it('STOP-BETWEEN: stopped between floors the car stays there, sensor reads between', () => {
    const c = car({ floor: 1 });
    c.setMotor('up', 0);
    c.setMotor('stop', 1000);
    expect(c.nextChangeAt(1000)).toBeUndefined();
    expect(sensorAt(c, [2500, 60_000])).toEqual([null, null]);
    expect(c.state(60_000)).toMatchObject({
      floor: null,
      lastFloor: 1,
      motor: 'stop',
      position: 1.5,
    });
  });

  it('RESUME-SAME: restarted in the direction it left in, it reaches the next floor a full travelMs later', () => {
    const c = car({ floor: 1 });
    c.setMotor('up', 0);
    c.setMotor('stop', 2000); // 1500 of 2000 ms travelled
    c.setMotor('up', 10_000);
    expect(sensorAt(c, [11_999, 12_000])).toEqual([null, 2]);
  });

  it('RESUME-REVERSE: restarted in the opposite direction, it returns to the floor it left a full travelMs later', () => {
    const c = car({ floor: 1 });
    c.setMotor('up', 0);
    c.setMotor('down', 600); // reversed without stopping first
    expect(c.nextChangeAt(600)).toBe(2600);
    expect(sensorAt(c, [2599, 2600, 3099, 3100, 5100])).toEqual([null, 1, 1, null, 0]);
  });

  it('RESUME-REVERSE then RESUME-SAME: a reversed car that is stopped again still returns to the floor it left, or goes on', () => {
    const a = car({ floor: 1 });
    a.setMotor('up', 0);
    a.setMotor('down', 1000);
    a.setMotor('stop', 1500);
    a.setMotor('down', 3000);
    expect(sensorAt(a, [4999, 5000])).toEqual([null, 1]);
    const b = car({ floor: 1 });
    b.setMotor('up', 0);
    b.setMotor('down', 1000);
    b.setMotor('up', 1500);
    expect(sensorAt(b, [3499, 3500])).toEqual([null, 2]);
  });

  it('start between floors: up reaches the upper floor, down the lower one, each after travelMs', () => {
    const up = car({ between: 1 });
    expect(up.state(0)).toMatchObject({ floor: null, lastFloor: 1, position: 1.5, motor: 'stop' });
    expect(up.floorSensor(5000)).toBeNull();
    up.setMotor('up', 5000);
    expect(sensorAt(up, [6999, 7000])).toEqual([null, 2]);
    const down = car({ between: 1 });
    down.setMotor('down', 0);
    expect(sensorAt(down, [1999, 2000])).toEqual([null, 1]);
  });

  it('SAME-COMMAND: repeating the current direction does not restart the timers', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    c.setMotor('up', 400);
    expect(sensorAt(c, [499, 500])).toEqual([0, null]);
    c.setMotor('up', 2400);
    expect(sensorAt(c, [2499, 2500])).toEqual([null, 1]);
  });

  it('changing direction at a floor restarts the leave timer in the new direction', () => {
    const c = car({ floor: 2 });
    c.setMotor('up', 0);
    c.setMotor('down', 300);
    expect(sensorAt(c, [799, 800, 2800])).toEqual([2, null, 1]);
  });

  it('OUT-OF-BOUNDS: driving past the top floor puts the car out of bounds; motor commands are ignored', () => {
    const c = car({ floor: 3 });
    c.setMotor('up', 0);
    expect(c.floorSensor(500)).toBeNull();
    expect(c.state(500)).toMatchObject({ outOfBounds: true, moving: 'stop', position: 3.5 });
    c.setMotor('down', 1000);
    expect(c.nextChangeAt(1000)).toBeUndefined();
    expect(c.floorSensor(10_000)).toBeNull();
    expect(c.state(10_000)).toMatchObject({ outOfBounds: true, motor: 'down', moving: 'stop' });
  });

  it('OUT-OF-BOUNDS: past the bottom too; bringBack puts it at the end floor and obeys the last command', () => {
    const c = car({ floor: 0 });
    c.setMotor('down', 0);
    expect(c.state(600).outOfBounds).toBe(true);
    expect(c.bringBack(700)).toBe(true); // last command still "down": it will leave again
    expect(sensorAt(c, [700, 1199, 1200])).toEqual([0, 0, null]);
    expect(c.state(1200).outOfBounds).toBe(true);
    c.setMotor('up', 1300); // ignored while out of bounds, but remembered
    expect(c.state(1300).moving).toBe('stop');
    c.bringBack(2000);
    expect(sensorAt(c, [2000, 2499, 2500, 4500])).toEqual([0, 0, null, 1]);
    expect(c.bringBack(4500)).toBe(false); // not out of bounds: nothing to do
  });

  it('POWER-LOSS: powered off, the car stops where it is and ignores motor commands', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    c.setMotorPower(false, 1000);
    expect(c.state(1000)).toMatchObject({ motor: 'up', moving: 'stop', motorPower: false });
    c.setMotor('down', 1500);
    c.setMotor('up', 1600);
    expect(c.nextChangeAt(1600)).toBeUndefined();
    expect(c.floorSensor(60_000)).toBeNull();
  });

  it('POWER-LOSS: when power returns the car obeys the LAST command given, without a new write', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    c.setMotorPower(false, 1000); // between 0 and 1, left 0 going up
    c.setMotor('down', 2000); // the controller changes its mind while powerless
    c.setMotorPower(true, 5000);
    expect(c.state(5000)).toMatchObject({ motor: 'down', moving: 'down', motorPower: true });
    expect(sensorAt(c, [6999, 7000])).toEqual([null, 0]); // RESUME-REVERSE after travelMs
  });

  it('POWER-LOSS at a floor: power back with the same command leaves after a full passingMs', () => {
    const c = car({ floor: 2 });
    c.setMotor('down', 0);
    c.setMotorPower(false, 100);
    c.setMotorPower(true, 1000);
    expect(sensorAt(c, [1499, 1500])).toEqual([2, null]);
  });

  it('time never runs backwards: an earlier now is treated as the latest one seen', () => {
    const c = car({ floor: 0 });
    c.setMotor('up', 0);
    expect(c.floorSensor(600)).toBeNull();
    expect(c.floorSensor(100)).toBeNull();
  });

  it('works for any number of floors from 2 up, and rejects bad configurations', () => {
    const two = car({ floor: 0 }, 2);
    two.setMotor('up', 0);
    expect(sensorAt(two, [2500, 3000])).toEqual([1, null]);
    expect(two.state(3000).outOfBounds).toBe(true);
    const tall = car({ floor: 0 }, 40);
    tall.setMotor('up', 0);
    expect(tall.floorSensor(39 * 2500)).toBe(39);
    expect(() => car({ floor: 0 }, 1)).toThrow(CarPhysicsConfigError);
    expect(() => car({ floor: 4 })).toThrow(/start floor/);
    expect(() => car({ between: 3 })).toThrow(/start between/);
    expect(() => new CarPhysics({ ...REF, travelMs: 0, start: { floor: 0 } })).toThrow(
      CarPhysicsConfigError,
    );
  });

  it('scales: with travel 100 / passing 25 the same pattern holds', () => {
    const c = new CarPhysics({ floors: 4, travelMs: 100, passingMs: 25, start: { floor: 1 } });
    c.setMotor('up', 0);
    expect(sensorAt(c, [24, 25, 124, 125, 150])).toEqual([1, null, null, 2, null]);
  });

  it('property: the sensor only ever reads a floor in range, and moves at most one floor per change', () => {
    const dirs: Direction[] = ['up', 'down', 'stop'];
    const seed = Date.now() % 1_000_000;
    // The seed is printed so a failing run can be replayed.
    console.log(`car-physics property seed: ${seed}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 3000 }),
            op: fc.oneof(
              fc.constantFrom(...dirs).map((d) => ({ k: 'motor' as const, d })),
              fc.boolean().map((on) => ({ k: 'power' as const, on })),
              fc.constant({ k: 'back' as const }),
            ),
          }),
          { maxLength: 40 },
        ),
        (floors, ops) => {
          const c = new CarPhysics({ floors, travelMs: 2000, passingMs: 500, start: { floor: 0 } });
          let now = 0;
          let last: number = 0;
          for (const { dt, op } of ops) {
            const target = now + dt;
            for (
              let t = c.nextChangeAt(now);
              t !== undefined && t <= target;
              t = c.nextChangeAt(t)
            ) {
              const f = c.floorSensor(t);
              if (f !== null) {
                expect(f).toBeGreaterThanOrEqual(0);
                expect(f).toBeLessThan(floors);
                expect(Math.abs(f - last)).toBeLessThanOrEqual(1);
                last = f;
              }
            }
            now = target;
            if (op.k === 'motor') c.setMotor(op.d, now);
            else if (op.k === 'power') c.setMotorPower(op.on, now);
            else if (c.bringBack(now)) last = c.floorSensor(now) ?? last;
            expect(c.state(now).lastFloor).toBe(last);
          }
        },
      ),
      { seed },
    );
  });
});
