import { afterEach, describe, expect, it } from 'vitest';
import type { SimState } from './sim-elevator.js';
import type { Simulator } from './sim-server.js';
import { startSimulator } from './sim-server.js';
import { applyKeyAction, keyAction, renderView } from './terminal-view.js';

describe('keyAction (the reference simulator keys)', () => {
  it('hall up qwertyui from floor 0, hall down sdfghjkl from floor 1, cab zxcvbnm,. from floor 0', () => {
    expect(keyAction('q', 9)).toEqual({ type: 'press', button: 'hallUp', floor: 0 });
    expect(keyAction('i', 9)).toEqual({ type: 'press', button: 'hallUp', floor: 7 });
    expect(keyAction('s', 9)).toEqual({ type: 'press', button: 'hallDown', floor: 1 });
    expect(keyAction('l', 9)).toEqual({ type: 'press', button: 'hallDown', floor: 8 });
    expect(keyAction('z', 9)).toEqual({ type: 'press', button: 'cab', floor: 0 });
    expect(keyAction('m', 9)).toEqual({ type: 'press', button: 'cab', floor: 6 });
    expect(keyAction('.', 9)).toEqual({ type: 'press', button: 'cab', floor: 8 });
  });

  it('uppercase toggles held', () => {
    expect(keyAction('W', 4)).toEqual({ type: 'toggleHeld', button: 'hallUp', floor: 1 });
    expect(keyAction('D', 4)).toEqual({ type: 'toggleHeld', button: 'hallDown', floor: 2 });
    expect(keyAction('C', 4)).toEqual({ type: 'toggleHeld', button: 'cab', floor: 2 });
    expect(keyAction('>', 9)).toEqual({ type: 'toggleHeld', button: 'cab', floor: 8 });
  });

  it('keys for buttons that do not exist in this building do nothing', () => {
    expect(keyAction('r', 4)).toBeUndefined(); // hall up at the top floor 3
    expect(keyAction('g', 4)).toBeUndefined(); // hall down at floor 4 of 4
    expect(keyAction('b', 4)).toBeUndefined(); // cab floor 4
  });

  it('switches, motor and exit', () => {
    expect(keyAction('p', 4)).toEqual({ type: 'toggleStopButton' });
    expect(keyAction('-', 4)).toEqual({ type: 'toggleObstruction' });
    expect(keyAction('o', 4)).toEqual({ type: 'toggleMotorPower' });
    expect(keyAction('7', 4)).toEqual({ type: 'forceMotor', dir: 'down' });
    expect(keyAction('8', 4)).toEqual({ type: 'forceMotor', dir: 'stop' });
    expect(keyAction('9', 4)).toEqual({ type: 'forceMotor', dir: 'up' });
    expect(keyAction('0', 4)).toEqual({ type: 'bringBack' });
    expect(keyAction('\u0003', 4)).toEqual({ type: 'exit' });
    expect(keyAction('#', 4)).toBeUndefined();
  });
});

describe('applyKeyAction', () => {
  let sim: Simulator | undefined;
  afterEach(async () => sim?.close());

  it('drives the simulator like the control API does', async () => {
    sim = await startSimulator({ port: 0, startFloor: 0, travelMs: 100, passingMs: 25 });
    const press = (key: string): void => {
      const a = keyAction(key, 4);
      if (a) applyKeyAction(sim!, a);
    };
    press('-');
    press('p');
    press('o');
    press('X');
    press('9');
    expect(sim.state()).toMatchObject({
      obstruction: true,
      stopButton: true,
      car: { motor: 'up', motorPower: false },
    });
    expect(sim.isButtonPressed('cab', 1)).toBe(true);
    press('X');
    press('e');
    expect(sim.isButtonHeld('cab', 1)).toBe(false);
    expect(sim.isButtonPressed('hallUp', 2)).toBe(true);
  });
});

describe('renderView', () => {
  const state: SimState = {
    floors: 3,
    car: { floor: null, lastFloor: 1, motor: 'up', motorPower: false, outOfBounds: false },
    lamps: {
      hall: [
        [true, false],
        [false, true],
        [false, false],
      ],
      cab: [false, false, true],
      door: true,
      stop: false,
      floorIndicator: 1,
    },
    obstruction: true,
    stopButton: false,
    clientConnected: true,
  };
  const extras = {
    position: 1.5,
    pressed: [
      [false, false, false],
      [false, false, false],
      [false, false, true],
    ],
    held: [
      [true, false, false],
      [false, false, false],
      [false, false, false],
    ],
    port: 15657,
    controlPort: 8080,
    log: ['hello'],
  };

  it('shows the car between floors, every lamp, switches, power and the controller', () => {
    const text = renderView(state, extras).join('\n');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/tcp :15657 .*127\.0\.0\.1:8080 .*CONNECTED/);
    // The car is drawn on the row between floors 2 and 1.
    const floor2 = lines.findIndex((l) => /^ {2}2 /.test(l));
    expect(lines[floor2 + 1]).toContain('[#]');
    expect(lines[floor2]).not.toContain('[#]');
    expect(lines[floor2]).toContain('●* '); // cab 2 lamp lit and pressed
    expect(lines.find((l) => /^ {2}0 /.test(l))).toContain('●H'); // hall up 0 lit and held
    expect(text).toMatch(/motor: up .*power: OFF .*sensor: between .*last floor: 1/);
    expect(text).toMatch(/door lamp: ● .*obstruction: ON/);
    expect(text).toContain('hello');
  });

  it('shows an out-of-bounds car beyond the shaft', () => {
    const text = renderView(
      { ...state, car: { ...state.car, outOfBounds: true } },
      { ...extras, position: 2.5 },
    ).join('\n');
    expect(text).toMatch(/\[!\].*out of bounds/);
    expect(text).toContain('OUT OF BOUNDS');
  });
});
