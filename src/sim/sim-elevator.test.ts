import { afterEach, describe, expect, it } from 'vitest';
import type { ElevatorCommand } from '../protocol/elevator-frames.js';
import { SimElevator } from './sim-elevator.js';

/**
 * A clock that moves on by `stepMs` at every reading: what a preempted process or a GC pause does
 * between two readings of `performance.now()`. Deterministic, so a missed transition is not luck.
 */
function steppingClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

let elevators: SimElevator[] = [];
afterEach(() => {
  for (const e of elevators) e.close();
  elevators = [];
});

function elevator(now: () => number): SimElevator {
  const e = new SimElevator({
    floors: 4,
    travelMs: 100,
    passingMs: 80,
    pressMs: 50,
    startFloor: 1,
    random: () => 0,
    now,
  });
  elevators.push(e);
  return e;
}

const readFloor: ElevatorCommand = { type: 'readFloor' };

describe('SimElevator change events', () => {
  for (const step of [1, 3, 7, 13, 29]) {
    it(`emits every car transition even when the clock moves between two readings (step ${step} ms)`, () => {
      const e = elevator(steppingClock(step));
      const seen: { t: number; floor: number | null; motor: string }[] = [];
      e.onChange((ev) => {
        if (ev.change.type === 'car') seen.push({ t: ev.t, ...ev.state.car });
      });
      e.execute({ type: 'motor', dir: 'up' });
      // Poll the sensor as a controller does, reading state and position in between (the
      // dashboard's reads), until the car reaches floor 3; then stop there.
      let reply = e.execute(readFloor);
      for (let i = 0; i < 10_000 && !(reply?.type === 'readFloor' && reply.floor === 3); i++) {
        e.state();
        e.carPosition();
        reply = e.execute(readFloor);
      }
      expect(reply).toEqual({ type: 'readFloor', floor: 3 });
      e.execute({ type: 'motor', dir: 'stop' });
      // Motor on at 1, leave 1, arrive 2, leave 2, arrive 3, then the motor stop: none skipped.
      // With a big step the stop can come after the car left 3 again (the controller read 3 and
      // answered too late): then that leaving is emitted before the stop, between floors.
      const floors = seen.map((s) => s.floor);
      expect(floors.slice(0, 5)).toEqual([1, null, 2, null, 3]);
      expect([[3], [null, null]]).toContainEqual(floors.slice(5));
      expect(seen.slice(0, -1).every((s) => s.motor === 'up')).toBe(true);
      expect(seen.at(-1)?.motor).toBe('stop');
      // Each transition at the instant the physics gives it: leave 80 ms after the motor started,
      // arrive 100 ms after leaving, leave again 80 ms after arriving.
      const [start, leave1, arrive2, leave2, arrive3] = seen.map((s) => s.t);
      expect([
        leave1! - start!,
        arrive2! - leave1!,
        leave2! - arrive2!,
        arrive3! - leave2!,
      ]).toEqual([80, 100, 80, 100]);
    });
  }
});
