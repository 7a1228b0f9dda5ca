/**
 * The one compliance suite every {@link ElevatorIo} implementation must pass (the TCP driver against
 * a scripted server and against our simulator, and the in-memory fake). It checks the contract as
 * the node relies on it: outputs reach the server and are written only on change, inputs are
 * reported as rising edges and changes, bad arguments throw and are never sent, and after the server
 * goes away and comes back every output is written again.
 *
 * Usage: `describeElevatorIoCompliance('fake', async ({ floors }) => harness)` in a test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ButtonType, Direction } from '../core/types.js';
import type { ElevatorInputEvent, ElevatorIo } from '../io/elevator-io.js';
import { ElevatorIoArgumentError } from '../io/elevator-io-validation.js';
import type { ElevatorOutputs } from '../io/elevator-output-state.js';
import { pollUntil } from './poll-until.js';

/** An implementation under test plus a handle on the "server" side of it. */
export interface ElevatorIoHarness {
  /** The implementation under test, not started yet. */
  readonly io: ElevatorIo;
  /** A momentary button press at the server (released again by itself). */
  press(button: ButtonType, floor: number): void | Promise<void>;
  /** Makes the floor sensor read `floor` (directly, or by moving a simulated car there). */
  setFloorSensor(floor: number | null): void | Promise<void>;
  setObstruction(active: boolean): void | Promise<void>;
  setStopButton(pressed: boolean): void | Promise<void>;
  /** The outputs as the server shows them. */
  serverOutputs(): ElevatorOutputs;
  /** Number of write commands the implementation has sent. */
  writeCount(): number;
  /** Resolves once the implementation has certainly seen the current inputs (e.g. 2 more polls). */
  settle(): Promise<void>;
  /** The server goes away (it is gone or hangs); the implementation must notice. */
  dropServer(): Promise<void>;
  /** The server is back (as a fresh server that remembers no outputs). */
  restoreServer(): Promise<void>;
  /** Stops the implementation and the server. */
  close(): Promise<void>;
}

/** Builds a fresh harness for one test. */
export type ElevatorIoHarnessFactory = (options: { floors: number }) => Promise<ElevatorIoHarness>;

const FLOORS = 4;
const TOP = FLOORS - 1;

/** Registers the compliance suite for one implementation. */
export function describeElevatorIoCompliance(
  name: string,
  makeHarness: ElevatorIoHarnessFactory,
): void {
  describe(`ElevatorIo compliance: ${name}`, () => {
    let h: ElevatorIoHarness;
    let io: ElevatorIo;
    let events: ElevatorInputEvent[];

    const count = (pred: (e: ElevatorInputEvent) => boolean): number => events.filter(pred).length;
    const waitEvent = (pred: (e: ElevatorInputEvent) => boolean, what: string): Promise<void> =>
      pollUntil(() => events.some(pred), what);
    const lampsOf = (o: ElevatorOutputs) => ({
      buttonLamps: o.buttonLamps,
      floorIndicator: o.floorIndicator,
      doorLamp: o.doorLamp,
      stopLamp: o.stopLamp,
    });

    beforeEach(async () => {
      h = await makeHarness({ floors: FLOORS });
      io = h.io;
      events = [];
      io.onEvent((e) => events.push(e));
      await io.start();
      await pollUntil(() => io.connected, 'connected after start');
    });

    afterEach(async () => {
      await h.close();
    });

    it('reports the connection and then the current floor, obstruction and stop button once', async () => {
      expect(io.floors).toBe(FLOORS);
      await waitEvent((e) => e.type === 'obstruction', 'initial obstruction report');
      await waitEvent((e) => e.type === 'stopButton', 'initial stop button report');
      await waitEvent((e) => e.type === 'floor', 'initial floor report');
      await h.settle();
      expect(events[0]).toEqual({ type: 'connection', connected: true });
      expect(count((e) => e.type === 'connection')).toBe(1);
      expect(count((e) => e.type === 'obstruction')).toBe(1);
      expect(count((e) => e.type === 'stopButton')).toBe(1);
      expect(events).toContainEqual({ type: 'obstruction', active: false });
      expect(events).toContainEqual({ type: 'stopButton', pressed: false });
      // A simulator may start the car anywhere; only "once" is implementation-independent.
      expect(count((e) => e.type === 'floor')).toBe(1);
    });

    it('lamps and the floor indicator that are set are seen by the server', async () => {
      io.setButtonLamp('hallUp', 0, true);
      io.setButtonLamp('hallDown', TOP, true);
      io.setButtonLamp('cab', 2, true);
      io.setButtonLamp('hallUp', 1, true);
      io.setFloorIndicator(2);
      io.setDoorLamp(true);
      io.setStopLamp(true);
      const expected = lampsOf(expectedOutputs({ lit: LIT, indicator: 2, door: true, stop: true }));
      await pollUntil(
        () => JSON.stringify(lampsOf(h.serverOutputs())) === JSON.stringify(expected),
        'server shows the lamps',
      );
      io.setButtonLamp('hallUp', 1, false);
      io.setDoorLamp(false);
      await pollUntil(
        () => h.serverOutputs().buttonLamps[1]?.[0] === false && !h.serverOutputs().doorLamp,
        'server shows lamps turned off',
      );
    });

    it('a button press gives exactly one rising-edge event', async () => {
      await h.settle();
      await h.press('cab', 2);
      await waitEvent((e) => e.type === 'button', 'button event');
      await h.press('hallDown', TOP);
      await waitEvent((e) => e.type === 'button' && e.button === 'hallDown', 'second button event');
      await h.settle();
      expect(events.filter((e) => e.type === 'button')).toEqual([
        { type: 'button', button: 'cab', floor: 2 },
        { type: 'button', button: 'hallDown', floor: TOP },
      ]);
    });

    it('obstruction and stop button changes are reported', async () => {
      await h.settle();
      await h.setObstruction(true);
      await waitEvent((e) => e.type === 'obstruction' && e.active, 'obstruction on');
      await h.setStopButton(true);
      await waitEvent((e) => e.type === 'stopButton' && e.pressed, 'stop pressed');
      await h.setObstruction(false);
      await h.setStopButton(false);
      await pollUntil(
        () =>
          count((e) => e.type === 'obstruction') === 3 &&
          count((e) => e.type === 'stopButton') === 3,
        'obstruction off and stop released',
      );
      await h.settle();
      expect(events.filter((e) => e.type === 'obstruction')).toEqual([
        { type: 'obstruction', active: false },
        { type: 'obstruction', active: true },
        { type: 'obstruction', active: false },
      ]);
      expect(events.filter((e) => e.type === 'stopButton').map((e) => e.pressed)).toEqual([
        false,
        true,
        false,
      ]);
    });

    it('after every motor command the floor sensor is reported once more, changed or not (a reading taken after the command)', async () => {
      await waitEvent((e) => e.type === 'floor', 'initial floor report');
      await h.settle();
      const before = count((e) => e.type === 'floor');
      io.reassertMotor();
      await pollUntil(
        () => count((e) => e.type === 'floor') > before,
        'floor report after the motor command',
      );
      await h.settle();
      expect(count((e) => e.type === 'floor')).toBe(before + 1);
      // Lamps are not motor commands: no report.
      io.setDoorLamp(true);
      await h.settle();
      expect(count((e) => e.type === 'floor')).toBe(before + 1);
    });

    it('floor sensor changes are reported', async () => {
      const setFloor = (floor: number | null) => h.setFloorSensor(floor);
      await setFloor(1);
      await waitEvent((e) => e.type === 'floor' && e.floor === 1, 'floor 1');
      await setFloor(null);
      await waitEvent((e) => e.type === 'floor' && e.floor === null, 'between floors');
      await setFloor(2);
      await waitEvent((e) => e.type === 'floor' && e.floor === 2, 'floor 2');
      await h.settle();
      const floors = events.filter((e) => e.type === 'floor').map((e) => e.floor);
      expect(floors.slice(-3)).toEqual([1, null, 2]);
    });

    it('out-of-range arguments throw a typed error and are never sent', async () => {
      const before = h.writeCount();
      const bad: [ElevatorIoArgumentError['code'], () => void][] = [
        ['invalid-floor', () => io.setButtonLamp('cab', FLOORS, true)],
        ['invalid-floor', () => io.setButtonLamp('cab', -1, true)],
        ['invalid-floor', () => io.setButtonLamp('cab', 1.5, true)],
        ['invalid-floor', () => io.setButtonLamp('cab', Number.NaN, true)],
        ['invalid-floor', () => io.setFloorIndicator(FLOORS)],
        ['invalid-floor', () => io.setFloorIndicator(255)],
        ['invalid-button', () => io.setButtonLamp('bogus' as ButtonType, 0, true)],
        ['invalid-button', () => io.setButtonLamp(3 as unknown as ButtonType, 0, true)],
        ['invalid-value', () => io.setButtonLamp('cab', 0, 2 as unknown as boolean)],
        ['invalid-value', () => io.setDoorLamp(1 as unknown as boolean)],
        ['invalid-value', () => io.setStopLamp('yes' as unknown as boolean)],
        ['invalid-direction', () => io.setMotor('sideways' as Direction)],
        ['invalid-direction', () => io.setMotor(-1 as unknown as Direction)],
        ['nonexistent-button', () => io.setButtonLamp('hallUp', TOP, true)],
        ['nonexistent-button', () => io.setButtonLamp('hallDown', 0, true)],
      ];
      for (const [code, call] of bad) {
        let thrown: unknown;
        try {
          call();
        } catch (err) {
          thrown = err;
        }
        expect(thrown, `expected ${code}`).toBeInstanceOf(ElevatorIoArgumentError);
        expect((thrown as ElevatorIoArgumentError).code).toBe(code);
      }
      // Turning off a lamp that does not exist is a harmless no-op (callers sweep whole matrices).
      io.setButtonLamp('hallUp', TOP, false);
      io.setButtonLamp('hallDown', 0, false);
      expect(h.writeCount()).toBe(before);
      // The server did not hang: a valid write still gets through and inputs are still read.
      io.setButtonLamp('cab', TOP, true);
      await pollUntil(() => h.serverOutputs().buttonLamps[TOP]?.[2] === true, 'valid lamp seen');
      await h.press('cab', 0);
      await waitEvent((e) => e.type === 'button', 'press after bad calls');
      expect(io.connected).toBe(true);
    });

    it('writes only on change, and reassertMotor writes on purpose', async () => {
      const steps: [string, () => void, number][] = [
        ['lamp on', () => io.setButtonLamp('cab', 1, true), 1],
        ['same lamp on', () => io.setButtonLamp('cab', 1, true), 0],
        ['lamp off', () => io.setButtonLamp('cab', 1, false), 1],
        ['same lamp off', () => io.setButtonLamp('cab', 1, false), 0],
        ['indicator', () => io.setFloorIndicator(1), 1],
        ['same indicator', () => io.setFloorIndicator(1), 0],
        ['door on', () => io.setDoorLamp(true), 1],
        ['door on again', () => io.setDoorLamp(true), 0],
        ['stop lamp off (already off)', () => io.setStopLamp(false), 0],
        ['stop lamp on', () => io.setStopLamp(true), 1],
        ['motor stop (already stopped)', () => io.setMotor('stop'), 0],
        ['motor reasserted', () => io.reassertMotor(), 1],
      ];
      for (const [what, step, writes] of steps) {
        const before = h.writeCount();
        step();
        expect(h.writeCount() - before, what).toBe(writes);
      }
      await pollUntil(() => h.serverOutputs().stopLamp, 'last write seen by the server');
    });

    it('after the server goes away and comes back, it reconnects and re-sends every lamp', async () => {
      io.setButtonLamp('hallUp', 0, true);
      io.setButtonLamp('cab', TOP, true);
      io.setFloorIndicator(1);
      io.setDoorLamp(true);
      await pollUntil(() => h.serverOutputs().doorLamp, 'lamps seen before the drop');

      await h.dropServer();
      await pollUntil(() => !io.connected, 'noticed the server is gone');
      expect(events.at(-1)).toEqual({ type: 'connection', connected: false });

      // Changed while disconnected: remembered, sent with the resync.
      const whileDown = h.writeCount();
      io.setButtonLamp('hallDown', 2, true);
      io.setStopLamp(true);
      expect(h.writeCount()).toBe(whileDown);
      const eventsBefore = events.length;

      await h.restoreServer();
      await pollUntil(() => io.connected, 'reconnected');
      const lit: [ButtonType, number][] = [
        ['hallUp', 0],
        ['cab', TOP],
        ['hallDown', 2],
      ];
      const expected = lampsOf(expectedOutputs({ lit, indicator: 1, door: true, stop: true }));
      await pollUntil(
        () => JSON.stringify(lampsOf(h.serverOutputs())) === JSON.stringify(expected),
        'every lamp re-sent to the fresh server',
      );
      // Inputs are reported again after the reconnect.
      const after = (): ElevatorInputEvent[] => events.slice(eventsBefore);
      await pollUntil(
        () =>
          ['floor', 'obstruction', 'stopButton'].every((t) => after().some((e) => e.type === t)),
        'inputs re-reported after reconnect',
      );
      expect(after()[0]).toEqual({ type: 'connection', connected: true });
    });
  });
}

const LIT: [ButtonType, number][] = [
  ['hallUp', 0],
  ['hallDown', TOP],
  ['cab', 2],
  ['hallUp', 1],
];

function expectedOutputs(o: {
  lit: [ButtonType, number][];
  indicator: number | null;
  door: boolean;
  stop: boolean;
}): ElevatorOutputs {
  const buttonLamps = Array.from(
    { length: FLOORS },
    () => [false, false, false] as [boolean, boolean, boolean],
  );
  for (const [button, floor] of o.lit) {
    const row = buttonLamps[floor];
    if (row) row[button === 'hallUp' ? 0 : button === 'hallDown' ? 1 : 2] = true;
  }
  return {
    motor: 'stop',
    buttonLamps,
    floorIndicator: o.indicator,
    doorLamp: o.door,
    stopLamp: o.stop,
  };
}
