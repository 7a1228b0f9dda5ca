/** Parking only after idling (`parkDelayMs`, `parkDelayPerFloorMs`, `parkAtOnceFloors`). */
import { describe, expect, it } from 'vitest';
import {
  initialElevatorState,
  nextDeadline,
  step,
  type ElevatorConfig,
  type ElevatorEffect,
  type ElevatorEvent,
  type ElevatorState,
} from './elevator-fsm.js';
import { emptyRequests } from './types.js';

const base = { floors: 10, doorOpenMs: 3000, motorTimeoutMs: 4000, obstructionTimeoutMs: 5000 };

/** Feeds events to a car standing at `floor`; collects the motor commands. */
function carAt(config: ElevatorConfig, floor: number) {
  let state: ElevatorState = initialElevatorState(config);
  const motors: string[] = [];
  const feed = (event: ElevatorEvent): ElevatorEffect[] => {
    const [next, effects] = step(state, event);
    state = next;
    for (const e of effects) if (e.type === 'motor') motors.push(`${event.now}:${e.direction}`);
    return effects;
  };
  feed({ type: 'floorSensor', floor, now: 0 });
  return {
    feed,
    motors,
    get state() {
      return state;
    },
    park(park: number, now: number) {
      feed({ type: 'requests', requests: emptyRequests(config.floors), park, now });
    },
    call(f: number, now: number) {
      const r = emptyRequests(config.floors);
      r[f]![2] = true;
      feed({ type: 'requests', requests: r, park: null, now });
    },
  };
}

describe('elevator FSM: parking after idling', () => {
  it('without the options a free car leaves for its park floor at once (as before)', () => {
    const car = carAt(base, 2);
    car.park(6, 1000);
    expect(car.motors).toEqual(['1000:up']);
  });

  it('waits parkDelayMs + parkDelayPerFloorMs per floor, then leaves on the tick', () => {
    const car = carAt({ ...base, parkDelayMs: 2000, parkDelayPerFloorMs: 1000 }, 2);
    car.park(6, 1000);
    expect(car.motors).toEqual([]);
    // 2 s + 4 floors x 1 s after it became idle with that park floor.
    expect(nextDeadline(car.state, 1000)).toBe(7000);
    car.feed({ type: 'tick', now: 6999 });
    expect(car.motors).toEqual([]);
    car.feed({ type: 'tick', now: 7000 });
    expect(car.motors).toEqual(['7000:up']);
  });

  it('a call during the wait is served from where the car is; the wait starts again after', () => {
    const car = carAt({ ...base, parkDelayPerFloorMs: 1000 }, 2);
    car.park(6, 0);
    car.call(4, 1000);
    expect(car.motors).toEqual(['1000:up']);
    expect(car.state.idleSince ?? null).toBe(null);
  });

  it('a park floor in parkAtOnceFloors is driven to at once', () => {
    const car = carAt({ ...base, parkDelayPerFloorMs: 1000, parkAtOnceFloors: [0] }, 5);
    car.park(0, 500);
    expect(car.motors).toEqual(['500:down']);
  });

  it('re-sent requests do not restart the wait', () => {
    const car = carAt({ ...base, parkDelayPerFloorMs: 1000 }, 2);
    car.park(5, 1000);
    car.park(5, 2000);
    car.park(5, 3500);
    expect(nextDeadline(car.state, 3500)).toBe(4000);
    car.feed({ type: 'tick', now: 4000 });
    expect(car.motors).toEqual(['4000:up']);
  });
});
