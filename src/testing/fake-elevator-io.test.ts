import { describe, expect, it } from 'vitest';
import type { ElevatorInputEvent } from '../io/elevator-io.js';
import { describeElevatorIoCompliance } from './elevator-io-compliance.js';
import { FakeElevatorIo } from './fake-elevator-io.js';

describeElevatorIoCompliance('in-memory fake', ({ floors }) => {
  const fake = new FakeElevatorIo({ floors });
  return Promise.resolve({
    io: fake,
    press: (button, floor) => fake.press(button, floor),
    setFloorSensor: (floor) => fake.setFloorSensor(floor),
    setObstruction: (active) => fake.setObstruction(active),
    setStopButton: (pressed) => fake.setStopButton(pressed),
    serverOutputs: () => fake.serverOutputs(),
    writeCount: () => fake.writes,
    settle: () => Promise.resolve(),
    dropServer: () => Promise.resolve(fake.dropServer()),
    restoreServer: () => Promise.resolve(fake.restoreServer()),
    close: () => fake.stop(),
  });
});

describe('FakeElevatorIo specifics', () => {
  it('delivers events synchronously and reports a held button again after a reconnect', async () => {
    const fake = new FakeElevatorIo({ floors: 3, initialFloor: null });
    const events: ElevatorInputEvent[] = [];
    fake.onEvent((e) => events.push(e));
    await fake.start();
    expect(events).toEqual([
      { type: 'connection', connected: true },
      { type: 'floor', floor: null },
      { type: 'stopButton', pressed: false },
      { type: 'obstruction', active: false },
    ]);
    fake.setButton('cab', 1, true);
    fake.setButton('cab', 1, true);
    expect(events.filter((e) => e.type === 'button')).toHaveLength(1);
    fake.dropServer();
    fake.restoreServer();
    expect(events.filter((e) => e.type === 'button')).toHaveLength(2);
  });

  it('resyncs the motor and records every write in order', async () => {
    const fake = new FakeElevatorIo({ floors: 2 });
    const seen: string[] = [];
    fake.onWrite((cmd) => seen.push(cmd.type));
    await fake.start();
    fake.setMotor('up');
    expect(fake.motor).toBe('up');
    fake.dropServer();
    expect(fake.motor).toBe('stop');
    const before = fake.writes;
    fake.restoreServer();
    expect(fake.motor).toBe('up');
    // Resync: 2 existing buttons per floor, door, stop, motor last (no indicator set yet).
    const log = fake.writeLog.slice(before);
    expect(log).toHaveLength(7);
    expect(log.at(-1)).toEqual({ type: 'motor', dir: 'up' });
    expect(log.filter((c) => c.type === 'buttonLamp')).toHaveLength(4);
    expect(seen).toEqual(fake.writeLog.map((c) => c.type));
  });

  it('does not start while the server is down, and connects when it comes up', async () => {
    const fake = new FakeElevatorIo({ floors: 2, serverUp: false });
    await fake.start();
    expect(fake.connected).toBe(false);
    fake.restoreServer();
    expect(fake.connected).toBe(true);
    await fake.stop();
    expect(fake.connected).toBe(false);
    fake.restoreServer();
    expect(fake.connected).toBe(false);
  });
});
