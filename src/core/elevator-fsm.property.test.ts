import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CarPhysics } from '../sim/car-physics.js';
import {
  initialElevatorState,
  nextDeadline,
  step,
  type ElevatorEffect,
  type ElevatorEvent,
  type ElevatorState,
} from './elevator-fsm.js';
import { emptyRequests, type RequestMatrix } from './types.js';

/**
 * One random happening, `after` ms after the last: a call (floor, button), an obstruction toggle, or
 * a new park floor (`floor`, or none when `button` is 0).
 */
const happeningArb = fc.record({
  after: fc.integer({ min: 0, max: 8000 }),
  kind: fc.constantFrom('call', 'call', 'call', 'obstruction', 'park', 'park'),
  floor: fc.nat(9),
  button: fc.nat(2),
});

const caseArb = fc.record({
  floors: fc.integer({ min: 2, max: 8 }),
  start: fc.oneof(fc.record({ floor: fc.nat(7) }), fc.record({ between: fc.nat(6) })),
  happenings: fc.array(happeningArb, { maxLength: 25 }),
  finalPark: fc.option(fc.nat(7)),
  /**
   * A starved process: the n-th floor-sensor change is read on time but handled this many ms late
   * (0: on time); the changes after the list are on time (a process that is always later than a
   * floor's passing time can never stop anywhere). See `simulate`.
   */
  stalls: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 4000 })), {
    maxLength: 12,
  }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

interface Run {
  violations: string[];
  unserved: number;
  /** Where the car finally rests, door closed, after every call was served, and the park floor. */
  restsAt: number | null;
  park: number | null;
  /** Motor commands after the last call was served (it drives straight to the park floor). */
  motorAfterLastCall: string[];
}

/**
 * Drives the state machine with the simulator's physics in virtual time, like the node does:
 * requests stay until the machine reports them served; obstructions are short (no failure).
 *
 * Between the physics and the machine sits a model of the driver (src/io/elevator-io.ts): it reports
 * floor-sensor changes, and after every motor command one more reading taken after the command.
 * With `starve`, the process stalls
 * right after the driver read a sensor change (`c.stalls`): the car moves on while nothing is
 * handled; on waking up the timers run first (a tick, with the clock jumped ahead), then the stale
 * reading arrives, then a fresh one. A stall never lets the car reach beyond an end floor
 * (physically the hardware's limit switches do that; no software can stop a car it is not running
 * to stop).
 */
function simulate(c: Case, starve = false, trace?: (line: string) => void): Run {
  const floors = c.floors;
  const start =
    'floor' in c.start
      ? { floor: c.start.floor % floors }
      : { between: c.start.between % (floors - 1) };
  const car = new CarPhysics({ floors, travelMs: 2000, passingMs: 500, start });
  const config = { floors, doorOpenMs: 3000, motorTimeoutMs: 4000, obstructionTimeoutMs: 5000 };
  let state: ElevatorState = initialElevatorState(config);
  const requests: RequestMatrix = emptyRequests(floors);
  let park: number | null = null;
  const send = () =>
    feed({ type: 'requests', requests: requests.map((r) => [...r] as typeof r), park, now });
  let motorLog: string[] = [];
  let now = 0;
  let door = false;
  const violations: string[] = [];
  const servedAt: Record<string, number> = {};
  // The driver: what it last reported, and whether a reading taken after the latest motor command
  // is still to be reported.
  let reported: number | null = car.floorSensor(0);
  let confirmDue = false;
  let changes = 0;

  /** While a stale reading is still on its way (a stall), later readings wait behind it. */
  let staleInFlight = false;
  const feed = (event: ElevatorEvent) => {
    const [next, effects] = step(state, event);
    trace?.(
      `${now} ${JSON.stringify(event)} -> ${JSON.stringify(effects)} car ${car.floorSensor(now)}`,
    );
    state = next;
    apply(effects);
    // The report after a motor command, read after the server got it (instant I/O here).
    for (let g = 0; confirmDue && !staleInFlight && g < 50; g++) readFresh();
  };
  const readFresh = () => {
    const v = car.floorSensor(now);
    if (v === reported && !confirmDue) return;
    confirmDue = false;
    reported = v;
    feed({ type: 'floorSensor', floor: v, now });
  };
  /** How long a stall starting now may last without the car leaving the building. */
  const safeStallMs = (): number => {
    const st = car.state(now);
    if (st.moving === 'stop') return Infinity;
    const room = st.moving === 'up' ? floors - 1 - st.lastFloor : st.lastFloor;
    return room * 2500 - 50;
  };
  const apply = (effects: ElevatorEffect[]) => {
    for (const e of effects) {
      if (e.type === 'motor' || e.type === 'reassertMotor') {
        confirmDue = true;
      }
      if (e.type === 'motor') {
        motorLog.push(e.direction);
        if (door && e.direction !== 'stop')
          violations.push(`motor ${e.direction} with the door open`);
        const at = car.floorSensor(now);
        if (e.direction === 'up' && at === floors - 1) violations.push('motor up at the top floor');
        if (e.direction === 'down' && at === 0) violations.push('motor down at the bottom floor');
        car.setMotor(e.direction, now);
      } else if (e.type === 'doorLamp') {
        if (e.on && car.state(now).moving !== 'stop') violations.push('door opened while moving');
        if (e.on && car.floorSensor(now) === null)
          violations.push(`door opened between floors (the machine believed ${state.floor})`);
        if (e.on && !effects.some((x) => x.type === 'served'))
          violations.push(`door opened at floor ${car.floorSensor(now)} without serving a call`);
        door = e.on;
      } else if (e.type === 'served') {
        if (!door || car.floorSensor(now) !== e.floor || car.state(now).moving !== 'stop')
          violations.push(
            `${e.button}@${e.floor} served with the car at ${car.floorSensor(now)}, door ${door ? 'open' : 'closed'}`,
          );
        const row = requests[e.floor];
        if (row !== undefined)
          row[e.button === 'hallUp' ? 0 : e.button === 'hallDown' ? 1 : 2] = false;
        if (e.button !== 'cab') {
          const other = e.button === 'hallUp' ? 'hallDown' : 'hallUp';
          const prev = servedAt[`${other}@${e.floor}`];
          if (prev !== undefined && now - prev < config.doorOpenMs)
            violations.push(`cleared both directions at floor ${e.floor} in one arrival`);
          servedAt[`${e.button}@${e.floor}`] = now;
        }
      }
    }
  };
  const advanceTo = (until: number) => {
    for (let guard = 0; guard < 100_000; guard++) {
      const times = [until, car.nextChangeAt(now), nextDeadline(state, now) ?? undefined].filter(
        (t): t is number => t !== undefined && t >= now,
      );
      const t = Math.min(...times);
      now = t;
      if (car.state(now).outOfBounds) violations.push('driven out of bounds');
      const s = car.floorSensor(now);
      const stall = starve && s !== reported ? (c.stalls[changes++] ?? 0) : 0;
      if (stall > 0 && stall < safeStallMs()) {
        // Read on time, handled late: the process stops right after the driver read the change.
        now += stall;
        if (car.state(now).outOfBounds) violations.push('driven out of bounds (during a stall)');
        staleInFlight = true;
        feed({ type: 'tick', now }); // the timers run first, with the clock jumped ahead
        staleInFlight = false;
        if (s !== reported) {
          reported = s;
          feed({ type: 'floorSensor', floor: s, now }); // the stale reading
        }
        readFresh(); // the first poll after waking up
      } else if (s !== reported) {
        reported = s;
        feed({ type: 'floorSensor', floor: s, now });
      }
      feed({ type: 'tick', now });
      if (door && car.state(now).moving !== 'stop') violations.push('door open while moving');
      if (now >= until) return;
    }
  };

  feed({ type: 'floorSensor', floor: reported, now });
  let obstructed = false;
  for (const h of c.happenings) {
    advanceTo(now + h.after);
    if (h.kind === 'obstruction') {
      obstructed = !obstructed;
      feed({ type: 'obstruction', active: obstructed, now });
      continue;
    }
    if (h.kind === 'park') {
      park = h.button === 0 ? null : h.floor % floors;
      send();
      continue;
    }
    const floor = h.floor % floors;
    let button = h.button;
    if (button === 0 && floor === floors - 1) button = 1;
    if (button === 1 && floor === 0) button = 0;
    const row = requests[floor];
    if (row !== undefined) row[button as 0 | 1 | 2] = true;
    send();
  }
  if (obstructed) feed({ type: 'obstruction', active: false, now });
  // No failures: everything must be served within a generous bound.
  const bound = now + floors * 2 * 2500 + 40 * 3000 + (starve ? 12 * 4000 * 4 : 0);
  park = c.finalPark === null ? null : c.finalPark % floors;
  send();
  while (
    now < bound &&
    (requests.some((r) => r[0] || r[1] || r[2]) || state.behaviour === 'init')
  ) {
    advanceTo(now + 1000);
    send();
  }
  const unserved = requests.flat().filter(Boolean).length;
  // Then, with nothing to do, it goes to its park floor (if any) and rests there, door closed.
  motorLog = [];
  advanceTo(now + floors * 2500 + 2 * 3000 + 1000);
  const rest = car.state(now);
  const restsAt = !door && rest.moving === 'stop' ? rest.floor : null;
  return { violations, unserved, restsAt, park, motorAfterLastCall: motorLog };
}

describe('elevator FSM properties over random event sequences (with the simulator physics)', () => {
  it('the door is never open while the motor runs; it opens only to serve a call; one arrival never clears both directions; the motor never drives past the ends; every call is served (with random park floors)', () => {
    const seed = Date.now();
    console.log(`elevator FSM property seed: ${seed}`);
    fc.assert(
      fc.property(caseArb, (c) => {
        const run = simulate(c);
        expect(run.violations).toEqual([]);
        expect(run.unserved).toBe(0);
      }),
      { numRuns: 300, seed },
    );
  });

  it('with nothing left to do the car drives straight to its park floor, without stopping on the way, and rests there with the door closed', () => {
    const seed = Date.now();
    console.log(`elevator FSM parking property seed: ${seed}`);
    fc.assert(
      fc.property(caseArb, (c) => {
        const run = simulate(c);
        if (run.unserved > 0) return;
        expect(run.restsAt).not.toBe(null);
        if (run.park !== null) expect(run.restsAt).toBe(run.park);
        // One drive (or none) ending with the stop at the park floor; a car already moving when
        // it got its last park floor may first have to finish its way to the next floor (it changes
        // course at most once between floors) and stop there.
        const m = run.motorAfterLastCall.join(',');
        expect(['', 'stop', 'up,stop', 'down,stop', 'stop,up,stop', 'stop,down,stop']).toContain(m);
      }),
      { numRuns: 300, seed },
    );
  });

  it('a starved process (sensor readings handled seconds late, clock jumping ahead): the door opens only with the car standing at a floor, a call is served only by such an opening, and every call is still served', () => {
    const seed = Date.now();
    console.log(`elevator FSM starvation property seed: ${seed}`);
    let stalledRuns = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        if (c.stalls.some((d) => d > 0)) stalledRuns += 1;
        const run = simulate(c, true);
        expect(run.violations).toEqual([]);
        expect(run.unserved).toBe(0);
      }),
      { numRuns: 300, seed },
    );
    expect(stalledRuns).toBeGreaterThan(100);
  });
});
