import { describe, expect, it } from 'vitest';
import {
  initialElevatorState,
  isAvailable,
  isParking,
  nextDeadline,
  SETTLE_RETRY_MS,
  step,
  type ElevatorEffect,
  type ElevatorEvent,
  type ElevatorState,
} from './elevator-fsm.js';
import { emptyRequests, type ButtonType, type RequestMatrix } from './types.js';

const config = { floors: 4, doorOpenMs: 3000, motorTimeoutMs: 4000, obstructionTimeoutMs: 5000 };

/**
 * A tiny driver for the FSM in virtual time: feeds events and collects effects. Like the I/O layer
 * (src/io/elevator-io.ts), after every motor command it reports the floor sensor once more (the car
 * has no physics here: it stands where the last reading put it), and the effects of that report
 * are returned with those of the event that caused it. `reportAfterMotor = false` turns that off,
 * to look at the step in between.
 */
class Car {
  state: ElevatorState = initialElevatorState(config);
  effects: ElevatorEffect[] = [];
  now = 0;
  reportAfterMotor = true;
  /** What the floor sensor last read (undefined: never read). */
  lastSensor: number | null | undefined = undefined;
  feed(event: ElevatorEvent): ElevatorEffect[] {
    if (event.type === 'floorSensor') this.lastSensor = event.floor;
    const [next, effects] = step(this.state, event);
    this.state = next;
    this.effects.push(...effects);
    const out = [...effects];
    const moved = effects.some((e) => e.type === 'motor' || e.type === 'reassertMotor');
    if (moved && this.reportAfterMotor && this.lastSensor !== undefined)
      out.push(...this.feed({ type: 'floorSensor', floor: this.lastSensor, now: event.now }));
    return out;
  }
  at(now: number): this {
    this.now = now;
    return this;
  }
  sensor(floor: number | null): ElevatorEffect[] {
    return this.feed({ type: 'floorSensor', floor, now: this.now });
  }
  requests(calls: [number, ButtonType][], park?: number | null): ElevatorEffect[] {
    const r: RequestMatrix = emptyRequests(config.floors);
    for (const [f, b] of calls) r[f]![b === 'hallUp' ? 0 : b === 'hallDown' ? 1 : 2] = true;
    return this.feed({
      type: 'requests',
      requests: r,
      ...(park !== undefined && { park }),
      now: this.now,
    });
  }
  /** Re-sends the current requests minus what was served (as the node does). */
  tick(now: number): ElevatorEffect[] {
    this.now = now;
    return this.feed({ type: 'tick', now });
  }
  obstruction(active: boolean): ElevatorEffect[] {
    return this.feed({ type: 'obstruction', active, now: this.now });
  }
}

function served(effects: ElevatorEffect[]): string[] {
  return effects.flatMap((e) => (e.type === 'served' ? [`${e.floor}:${e.button}`] : []));
}

function motorCommands(effects: ElevatorEffect[]): string[] {
  return effects.flatMap((e) => (e.type === 'motor' ? [e.direction] : []));
}

/** A car standing idle at `floor`. */
function idleAt(floor: number): Car {
  const car = new Car();
  car.sensor(floor);
  expect(car.state.behaviour).toBe('idle');
  return car;
}

describe('elevator FSM: requirements §4 (the door)', () => {
  it('stopping at a floor keeps the door open for the configured door time', () => {
    const car = idleAt(0);
    car.requests([[0, 'cab']]);
    expect(car.state.behaviour).toBe('doorOpen');
    expect(car.effects).toContainEqual({ type: 'doorLamp', on: true });
    car.tick(2999);
    expect(car.state.behaviour).toBe('doorOpen');
    const closing = car.tick(3000);
    expect(closing).toContainEqual({ type: 'doorLamp', on: false });
    expect(car.state.behaviour).toBe('idle');
  });

  it('the door time is configurable', () => {
    const car = new Car();
    car.state = initialElevatorState({ ...config, doorOpenMs: 500 });
    car.sensor(1);
    car.requests([[1, 'cab']]);
    car.tick(499);
    expect(car.state.behaviour).toBe('doorOpen');
    car.tick(500);
    expect(car.state.behaviour).toBe('idle');
  });

  it('while the obstruction switch is on the door does not close; released, it gets a full door time', () => {
    const car = idleAt(2);
    car.requests([[2, 'cab']]);
    car.at(1000).obstruction(true);
    car.tick(3000);
    car.tick(4500);
    expect(car.state.behaviour).toBe('doorOpen');
    car.at(4600).obstruction(false);
    car.tick(7599);
    expect(car.state.behaviour).toBe('doorOpen');
    car.tick(7600);
    expect(car.state.behaviour).toBe('idle');
  });

  it('the obstruction may switch on and off any time: while the car moves it changes nothing', () => {
    const car = idleAt(0);
    car.requests([[3, 'cab']]);
    expect(car.state.behaviour).toBe('moving');
    car.obstruction(true);
    car.at(600).sensor(null);
    car.obstruction(false);
    car.at(2500).sensor(1);
    expect(car.state.behaviour).toBe('moving');
    expect(car.state.motor).toBe('up');
  });

  it('a long obstruction makes the elevator unavailable; it is available again once the door closes', () => {
    const car = idleAt(1);
    car.requests([[1, 'hallUp']]);
    car.at(100).obstruction(true);
    car.tick(5099);
    expect(isAvailable(car.state, 5099)).toBe(true);
    car.tick(5100);
    expect(isAvailable(car.state, 5100)).toBe(false);
    expect(nextDeadline(car.state, 5000)).toBe(5100);
    expect(nextDeadline(car.state, 5100)).toBe(null);
    car.at(20_000).obstruction(false);
    expect(isAvailable(car.state, 20_000)).toBe(true);
  });

  it('the door-open lamp is never on while the car moves: the door closes before the motor starts', () => {
    const car = idleAt(0);
    car.requests([
      [0, 'cab'],
      [2, 'cab'],
    ]);
    const effects = car.tick(3000);
    const doorOff = effects.findIndex((e) => e.type === 'doorLamp' && !e.on);
    const motorUp = effects.findIndex((e) => e.type === 'motor' && e.direction === 'up');
    expect(doorOff).toBeGreaterThanOrEqual(0);
    expect(motorUp).toBeGreaterThan(doorOff);
  });

  it('the door opens only after the motor has stopped', () => {
    const car = idleAt(0);
    car.requests([[1, 'cab']]);
    car.at(500).sensor(null);
    const effects = car.at(2500).sensor(1);
    const stop = effects.findIndex((e) => e.type === 'motor' && e.direction === 'stop');
    const doorOn = effects.findIndex((e) => e.type === 'doorLamp' && e.on);
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(doorOn).toBeGreaterThan(stop);
  });
});

describe('elevator FSM: requirements §5 (a single elevator)', () => {
  it('no stopping at floors "just to be safe": it passes floors without a call', () => {
    const car = idleAt(0);
    car.requests([[3, 'cab']]);
    car.at(500).sensor(null);
    const at1 = car.at(2500).sensor(1);
    expect(motorCommands(at1)).toEqual([]);
    expect(at1).toContainEqual({ type: 'floorIndicator', floor: 1 });
    expect(car.state.behaviour).toBe('moving');
  });

  it('it does not stop for a hall call against its direction while calls lie ahead', () => {
    const car = idleAt(0);
    car.requests([
      [1, 'hallDown'],
      [3, 'cab'],
    ]);
    car.at(500).sensor(null);
    car.at(2500).sensor(1);
    expect(car.state.behaviour).toBe('moving');
    expect(served(car.effects)).toEqual([]);
  });

  it('never stops where there is no call: if the call ahead is taken away it stops without opening the door', () => {
    const car = idleAt(0);
    car.requests([[3, 'hallDown']]);
    car.at(500).sensor(null);
    car.requests([]);
    const at1 = car.at(2500).sensor(1);
    expect(car.state.behaviour).toBe('idle');
    expect(at1.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(motorCommands(at1)).toEqual(['stop']);
  });

  it('clearing a hall light means announcing that direction: it clears only the direction it travels', () => {
    const car = idleAt(0);
    car.requests([
      [2, 'hallUp'],
      [2, 'hallDown'],
      [3, 'cab'],
    ]);
    car.at(500).sensor(null);
    car.at(2500).sensor(1);
    car.at(3000).sensor(null);
    const at2 = car.at(5000).sensor(2);
    expect(served(at2)).toEqual(['2:hallUp']);
    expect(car.state.direction).toBe('up');
  });

  it('a car arriving at a floor never clears both up and down at once', () => {
    const car = idleAt(0);
    car.requests([
      [3, 'hallDown'],
      [2, 'hallUp'],
      [2, 'hallDown'],
    ]);
    for (const [t, f] of [
      [500, null],
      [2500, 1],
      [3000, null],
      [5000, 2],
    ] as const)
      car.at(t).sensor(f);
    expect(served(car.effects)).toEqual(['2:hallUp']);
  });

  it('announcing a change of direction: it clears one, keeps the door open 3 s more, then clears the other', () => {
    const car = idleAt(0);
    car.requests([
      [2, 'hallUp'],
      [2, 'hallDown'],
    ]);
    car.at(500).sensor(null);
    car.at(2500).sensor(1);
    car.at(3000).sensor(null);
    const arrival = car.at(5000).sensor(2);
    expect(served(arrival)).toEqual(['2:hallUp']);
    expect(car.state.direction).toBe('up');
    // Nobody pressed a cab call upwards: no reason to continue up.
    const turn = car.tick(8000);
    expect(served(turn)).toEqual(['2:hallDown']);
    expect(turn.some((e) => e.type === 'doorLamp')).toBe(false); // the door stays open
    expect(car.state.behaviour).toBe('doorOpen');
    expect(car.state.direction).toBe('down');
    car.tick(10_999);
    expect(car.state.behaviour).toBe('doorOpen');
    car.tick(11_000);
    expect(car.state.behaviour).toBe('idle');
  });

  it('idle with both hall calls at its own floor, it announces one direction first', () => {
    const car = idleAt(1);
    const opened = car.requests([
      [1, 'hallUp'],
      [1, 'hallDown'],
    ]);
    expect(served(opened)).toEqual(['1:hallUp']);
    expect(served(car.tick(3000))).toEqual(['1:hallDown']);
  });

  it('a hall call in the announced direction at the open door is cleared at once and the door stays open', () => {
    const car = idleAt(1);
    car.requests([[1, 'hallUp']]);
    car.effects = [];
    car.at(2000).requests([[1, 'hallUp']]);
    expect(served(car.effects)).toEqual(['1:hallUp']);
    car.tick(4999);
    expect(car.state.behaviour).toBe('doorOpen');
  });

  it('it continues in its direction when people going that way got in (a cab call ahead)', () => {
    const car = idleAt(1);
    car.requests([
      [1, 'hallUp'],
      [0, 'hallUp'],
    ]);
    car.at(1000).requests([
      [0, 'hallUp'],
      [3, 'cab'],
    ]);
    const closing = car.tick(4000);
    expect(motorCommands(closing)).toEqual(['up']);
  });

  it('a controller that starts with the car between floors moves it to a floor first', () => {
    const car = new Car();
    const start = car.sensor(null);
    expect(motorCommands(start)).toEqual(['down']);
    car.requests([[3, 'cab']]);
    expect(car.state.motor).toBe('down');
    const arrived = car.at(1500).sensor(1);
    expect(arrived).toContainEqual({ type: 'floorIndicator', floor: 1 });
    // then it serves its calls
    expect(car.state.motor).toBe('up');
  });

  it('the floor indicator shows the last floor passed, also between floors', () => {
    const car = idleAt(0);
    car.requests([[3, 'cab']]);
    car.at(500).sensor(null);
    car.at(2500).sensor(1);
    car.at(3000).sensor(null);
    expect(car.state.floor).toBe(1);
    const indicators = car.effects.flatMap((e) => (e.type === 'floorIndicator' ? [e.floor] : []));
    expect(indicators).toEqual([0, 1]);
  });

  it('it never drives the motor past the top or bottom floor', () => {
    const top = idleAt(3);
    top.feed({ type: 'requests', requests: emptyRequests(4), now: 0 });
    expect(top.state.motor).toBe('stop');
    const car = idleAt(2);
    car.requests([[3, 'hallDown']]);
    car.at(500).sensor(null);
    car.at(2500).sensor(3);
    expect(car.state.motor).toBe('stop');
  });

  it('detects its own motor failure: told to move, no floor change in time, it reports out of service', () => {
    const car = idleAt(0);
    car.requests([[3, 'cab']]);
    expect(car.state.motor).toBe('up');
    car.tick(3999);
    expect(car.state.motorFailed).toBe(false);
    const failed = car.tick(4000);
    expect(car.state.motorFailed).toBe(true);
    expect(isAvailable(car.state, 4000)).toBe(false);
    expect(failed).toContainEqual({ type: 'reassertMotor' });
    // it keeps trying, and recovers by itself when the car moves again
    expect(car.tick(8000)).toContainEqual({ type: 'reassertMotor' });
    car.at(9000).sensor(null);
    expect(car.state.motorFailed).toBe(false);
    expect(isAvailable(car.state, 9000)).toBe(true);
  });

  it('a cab call pressed at its own floor while idle opens the door and is served there', () => {
    const car = idleAt(2);
    expect(served(car.requests([[2, 'cab']]))).toEqual(['2:cab']);
  });
});

describe('elevator FSM: parking (a floor to wait at, not a call)', () => {
  it('an idle car with no requests drives to its park floor with the door closed', () => {
    const car = idleAt(0);
    const start = car.requests([], 3);
    expect(motorCommands(start)).toEqual(['up']);
    expect(car.state.behaviour).toBe('moving');
    expect(isParking(car.state)).toBe(true);
    expect(start.some((e) => e.type === 'doorLamp')).toBe(false);
  });

  it('while driving to park it stops nowhere else: it passes every floor on the way', () => {
    const car = idleAt(0);
    car.requests([], 3);
    car.at(500).sensor(null);
    expect(motorCommands(car.at(2500).sensor(1))).toEqual([]);
    car.at(3000).sensor(null);
    expect(motorCommands(car.at(5000).sensor(2))).toEqual([]);
    expect(car.state.behaviour).toBe('moving');
  });

  it('it stops at the park floor without opening the door, and serves nothing there', () => {
    const car = idleAt(1);
    car.requests([], 2);
    car.at(500).sensor(null);
    const arrived = car.at(2500).sensor(2);
    expect(motorCommands(arrived)).toEqual(['stop']);
    expect(car.state.behaviour).toBe('idle');
    expect(car.effects.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(served(car.effects)).toEqual([]);
    expect(isParking(car.state)).toBe(false);
  });

  it('a car already at its park floor (or with none) stays where it is', () => {
    const car = idleAt(2);
    expect(car.requests([], 2)).toEqual([]);
    expect(car.requests([], null)).toEqual([]);
    expect(car.requests([])).toEqual([]);
    expect(car.state.behaviour).toBe('idle');
  });

  it('a parked car that gets a call at its own floor opens the door as usual', () => {
    const car = idleAt(0);
    car.requests([], 0);
    expect(served(car.requests([[0, 'hallUp']], 0))).toEqual(['0:hallUp']);
    expect(car.state.behaviour).toBe('doorOpen');
  });

  it('after serving its last call it closes the door and then goes to park', () => {
    const car = idleAt(2);
    car.requests([[2, 'cab']], 0);
    expect(car.state.behaviour).toBe('doorOpen');
    const closing = car.tick(3000);
    const doorOff = closing.findIndex((e) => e.type === 'doorLamp' && !e.on);
    const motorDown = closing.findIndex((e) => e.type === 'motor' && e.direction === 'down');
    expect(doorOff).toBeGreaterThanOrEqual(0);
    expect(motorDown).toBeGreaterThan(doorOff);
  });

  it('a request ahead preempts parking: the car stops there and serves it', () => {
    const car = idleAt(0);
    car.requests([], 3);
    car.at(500).sensor(null);
    car.at(1000).requests([[1, 'hallUp']], 3);
    const at1 = car.at(2500).sensor(1);
    expect(served(at1)).toEqual(['1:hallUp']);
    expect(car.state.behaviour).toBe('doorOpen');
  });

  it('a request behind preempts parking at once: between floors the car turns back to the floor it left', () => {
    const car = idleAt(1);
    car.requests([], 3);
    car.at(500).sensor(null);
    const turn = car.at(1000).requests([[1, 'hallDown']], 3);
    expect(motorCommands(turn)).toEqual(['down']);
    // The floor it returns to is next: floor + direction is the next floor, as the assigner reads it.
    expect(car.state.floor).toBe(2);
    expect(car.state.direction).toBe('down');
    const back = car.at(3000).sensor(1);
    expect(served(back)).toEqual(['1:hallDown']);
    expect(back).toContainEqual({ type: 'floorIndicator', floor: 1 });
  });

  it('still at the floor it is leaving, a request there stops it and opens the door', () => {
    const car = idleAt(1);
    car.requests([], 3);
    expect(car.state.atFloor).toBe(true);
    const stop = car.at(200).requests([[1, 'cab']], 3);
    const motorStop = stop.findIndex((e) => e.type === 'motor' && e.direction === 'stop');
    const doorOn = stop.findIndex((e) => e.type === 'doorLamp' && e.on);
    expect(motorStop).toBeGreaterThanOrEqual(0);
    expect(doorOn).toBeGreaterThan(motorStop);
    expect(served(stop)).toEqual(['1:cab']);
  });

  it('a new park floor behind the car turns it back; one ahead lets it go on', () => {
    const car = idleAt(1);
    car.requests([], 3);
    car.at(500).sensor(null);
    expect(motorCommands(car.at(800).requests([], 2))).toEqual([]);
    expect(motorCommands(car.at(900).requests([], 0))).toEqual(['down']);
    car.at(2900).sensor(1);
    expect(car.state.behaviour).toBe('moving');
    car.at(3400).sensor(null);
    const home = car.at(5400).sensor(0);
    expect(motorCommands(home)).toEqual(['stop']);
    expect(car.effects.some((e) => e.type === 'doorLamp')).toBe(false);
  });

  it('a park floor taken away while driving: it stops at the next floor, door closed', () => {
    const car = idleAt(0);
    car.requests([], 3);
    car.at(500).sensor(null);
    car.at(600).requests([], null);
    expect(car.state.motor).toBe('up');
    const at1 = car.at(2500).sensor(1);
    expect(motorCommands(at1)).toEqual(['stop']);
    expect(car.effects.some((e) => e.type === 'doorLamp')).toBe(false);
  });

  it('a park floor outside the building is ignored', () => {
    const car = idleAt(1);
    expect(car.requests([], 7)).toEqual([]);
    expect(car.requests([], -1)).toEqual([]);
    expect(car.state.park).toBe(null);
  });

  it('the motor watchdog works while parking: a parking car that does not move is out of service', () => {
    const car = idleAt(0);
    car.requests([], 3);
    car.tick(4000);
    expect(car.state.motorFailed).toBe(true);
    expect(isAvailable(car.state, 4000)).toBe(false);
    // Taking its park floor away does not stop it (and so does not report it well again).
    car.at(4100).requests([], null);
    expect(car.state.motorFailed).toBe(true);
    expect(car.state.motor).toBe('up');
    car.at(5000).sensor(null);
    expect(car.state.motorFailed).toBe(false);
  });

  it('a moving car whose calls ahead were taken and that got a call behind turns back at once', () => {
    const car = idleAt(1);
    car.requests([[3, 'cab']]);
    car.at(500).sensor(null);
    expect(motorCommands(car.at(700).requests([[0, 'hallUp']]))).toEqual(['down']);
    car.at(2700).sensor(1);
    expect(car.state.behaviour).toBe('moving');
    car.at(3200).sensor(null);
    expect(served(car.at(5200).sensor(0))).toEqual(['0:hallUp']);
  });

  it('it changes course at most once between floor-sensor changes: requests flipping with its own state cannot make it dither', () => {
    const car = idleAt(1);
    car.requests([[3, 'cab']]);
    car.at(500).sensor(null);
    expect(motorCommands(car.at(600).requests([[0, 'hallUp']]))).toEqual(['down']);
    // The assignment flips back (its reported state changed): it goes on back to floor 1 first.
    expect(motorCommands(car.at(601).requests([[3, 'hallDown']]))).toEqual([]);
    expect(car.state.motor).toBe('down');
    const at1 = car.at(2600).sensor(1);
    expect(motorCommands(at1)).toEqual(['stop', 'up']);
    expect(at1.some((e) => e.type === 'doorLamp')).toBe(false);
    // After the sensor changed it may change course again.
    car.at(3100).sensor(null);
    expect(motorCommands(car.at(3200).requests([[0, 'hallUp']]))).toEqual(['down']);
  });
});

describe('elevator FSM: a starved process (requirements §8: late, never unsafe)', () => {
  /** A car at `floor` that was sent up to a cab call at `to`, the confirming report switched off. */
  function sentUp(floor: number, to: number): Car {
    const car = idleAt(floor);
    car.requests([[to, 'cab']]);
    car.reportAfterMotor = false;
    return car;
  }

  it('the reading that shows the floor only stops the motor: the door waits for a reading taken after the stop', () => {
    const car = sentUp(0, 1);
    car.at(500).sensor(null);
    const arrival = car.at(2500).sensor(1);
    expect(motorCommands(arrival)).toEqual(['stop']);
    expect(arrival.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(served(arrival)).toEqual([]);
    expect(car.state.behaviour).toBe('idle');
    expect(car.state.arrival).toMatchObject({ floor: 1, phase: 'settling' });
    // Nothing but a floor-sensor reading opens it: not the requests, not the timers. A car that
    // waits over SETTLE_RETRY_MS for that reading asks for it again (re-asserts the stop).
    expect(car.at(2600).requests([[1, 'cab']])).toEqual([]);
    expect(car.tick(2500 + SETTLE_RETRY_MS - 1)).toEqual([]);
    expect(car.tick(9000)).toEqual([{ type: 'reassertMotor' }]);
    expect(car.tick(9001)).toEqual([]);
    const confirmed = car.at(9010).sensor(1);
    expect(confirmed).toContainEqual({ type: 'doorLamp', on: true });
    expect(served(confirmed)).toEqual(['1:cab']);
    expect(car.state.behaviour).toBe('doorOpen');
  });

  it('a stale at-floor reading (the car had left the floor): found between floors it drives back, never opening the door there', () => {
    const car = sentUp(0, 1);
    car.at(500).sensor(null);
    car.at(3500).sensor(1); // read at 2500, processed a second late: the car is past floor 1
    const found = car.at(3510).sensor(null);
    expect(found.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(served(found)).toEqual([]);
    expect(motorCommands(found)).toEqual(['down']);
    expect(car.state.behaviour).toBe('moving');
    // The floor behind the car is the one beyond: floor + direction is the floor it returns to.
    expect(car.state.floor).toBe(2);
    expect(car.state.direction).toBe('down');
    const back = car.at(5510).sensor(1);
    expect(motorCommands(back)).toEqual(['stop']);
    expect(served(back)).toEqual([]);
    const confirmed = car.at(5520).sensor(1);
    expect(served(confirmed)).toEqual(['1:cab']);
    expect(confirmed).toContainEqual({ type: 'doorLamp', on: true });
  });

  it('returning, it stops only at the floor it stopped for, and announces the direction it came in', () => {
    const car = idleAt(0);
    car.requests([
      [2, 'hallUp'],
      [2, 'hallDown'],
      [3, 'cab'],
    ]);
    car.reportAfterMotor = false;
    for (const [t, f] of [
      [500, null],
      [2500, 1],
      [3000, null],
    ] as const)
      car.at(t).sensor(f);
    car.at(5000).sensor(2); // stale: the car is beyond floor 3 by now
    car.at(8000).sensor(null); // the reading after the stop: between floors
    expect(car.state.motor).toBe('down');
    // It passes floor 3 on the way back (it had gone that far) without stopping there.
    expect(motorCommands(car.at(9000).sensor(3))).toEqual([]);
    car.at(9500).sensor(null);
    expect(motorCommands(car.at(11_500).sensor(2))).toEqual(['stop']);
    const confirmed = car.at(11_510).sensor(2);
    // It had come up: it announces up, as it would have on time.
    expect(served(confirmed)).toEqual(['2:hallUp']);
    expect(car.state.direction).toBe('up');
    expect(served(car.effects)).toEqual(['2:hallUp']);
  });

  it('stopped a floor too late, it settles at that floor in turn and then goes back for the call', () => {
    const car = sentUp(0, 1);
    car.at(500).sensor(null);
    car.at(5000).sensor(1); // stale by 2.5 s: the car has reached floor 2
    const at2 = car.at(5010).sensor(2);
    expect(at2.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(at2).toContainEqual({ type: 'floorIndicator', floor: 2 });
    // It asks for one more reading (re-asserting the stop) before it trusts floor 2.
    expect(at2).toContainEqual({ type: 'reassertMotor' });
    expect(motorCommands(at2)).toEqual([]);
    const confirmed = car.at(5020).sensor(2);
    expect(confirmed.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(motorCommands(confirmed)).toEqual(['down']);
    car.at(5510).sensor(null);
    expect(motorCommands(car.at(7510).sensor(1))).toEqual(['stop']);
    expect(served(car.at(7520).sensor(1))).toEqual(['1:cab']);
  });

  it('a call taken away while the car settles: the confirmation opens no door', () => {
    const car = idleAt(0);
    car.requests([[1, 'hallUp']]);
    car.reportAfterMotor = false;
    car.at(500).sensor(null);
    car.at(2500).sensor(1);
    car.at(2505).requests([]);
    const confirmed = car.at(2510).sensor(1);
    expect(confirmed.some((e) => e.type === 'doorLamp')).toBe(false);
    expect(served(car.effects)).toEqual([]);
    expect(car.state.behaviour).toBe('idle');
  });

  it('starting between floors: the floor it reaches is trusted only once a reading after the stop shows it', () => {
    const car = new Car();
    car.sensor(null);
    car.requests([[1, 'cab']]);
    car.reportAfterMotor = false;
    const reached = car.at(1500).sensor(1);
    expect(motorCommands(reached)).toEqual(['stop']);
    expect(served(reached)).toEqual([]);
    // It had been going down: found between floors, it is below floor 1 and goes back up.
    expect(motorCommands(car.at(1510).sensor(null))).toEqual(['up']);
    expect(car.state.floor).toBe(0);
    car.at(3510).sensor(1);
    expect(served(car.at(3520).sensor(1))).toEqual(['1:cab']);
  });

  it('a request at the floor it is leaving stops it, but the door opens only if a reading after the stop still finds it there', () => {
    const car = idleAt(1);
    car.requests([], 3);
    car.reportAfterMotor = false;
    const stop = car.at(200).requests([[1, 'cab']], 3);
    expect(motorCommands(stop)).toEqual(['stop']);
    expect(stop.some((e) => e.type === 'doorLamp')).toBe(false);
    // The car had left floor 1 (the reading was old): back down to it.
    expect(motorCommands(car.at(210).sensor(null))).toEqual(['down']);
    car.at(2210).sensor(1);
    expect(served(car.at(2220).sensor(1))).toEqual(['1:cab']);
  });

  it('an unchanged reading while moving (the report after a motor command) is not an arrival', () => {
    const car = idleAt(1);
    car.requests([
      [1, 'cab'],
      [3, 'cab'],
    ]);
    car.tick(3000); // the door closes, the car starts up; the report after "up" reads floor 1 still
    expect(car.state.behaviour).toBe('moving');
    expect(car.state.motor).toBe('up');
    car.reportAfterMotor = false;
    expect(car.at(3005).sensor(1)).toEqual([]);
    expect(car.state.motor).toBe('up');
  });

  it('a state built without the arrival field (older callers) behaves as one with none', () => {
    const { arrival: _arrival, ...old } = initialElevatorState(config);
    const car = new Car();
    car.state = old;
    car.sensor(2);
    expect(served(car.requests([[2, 'cab']]))).toEqual(['2:cab']);
  });
});
