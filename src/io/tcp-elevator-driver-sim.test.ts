/**
 * The TCP driver against our elevator simulator (`startSimulator`): the shared compliance suite
 * plus what only a simulator with car physics and a one-client-at-a-time server can show.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimState, Simulator, SimulatorOptions } from '../sim/sim-server.js';
import { startSimulator } from '../sim/sim-server.js';
import { describeElevatorIoCompliance } from '../testing/elevator-io-compliance.js';
import { pollUntil } from '../testing/poll-until.js';
import type { ElevatorInputEvent } from './elevator-io.js';
import type { ElevatorOutputs } from './elevator-output-state.js';
import { TcpElevatorDriver } from './tcp-elevator-driver.js';

const FAST = {
  pollIntervalMs: 5,
  replyTimeoutMs: 250,
  reconnectMinMs: 10,
  reconnectMaxMs: 50,
} as const;

const simOptions = (floors: number, port = 0): SimulatorOptions => ({
  port,
  floors,
  startFloor: 1,
  travelMs: 150,
  passingMs: 50,
  pressMs: 60,
  seed: 1,
});

/** The simulator's state in the vocabulary of the driver's outputs. */
function outputsOf(state: SimState): ElevatorOutputs {
  return {
    motor: state.car.motor,
    buttonLamps: state.lamps.hall.map(
      ([up, down], floor) =>
        [up, down, state.lamps.cab[floor] ?? false] as [boolean, boolean, boolean],
    ),
    floorIndicator: state.lamps.floorIndicator,
    doorLamp: state.lamps.door,
    stopLamp: state.lamps.stop,
  };
}

async function pollCycles(driver: TcpElevatorDriver, n = 2): Promise<void> {
  const target = driver.stats.pollCycles + n;
  await pollUntil(() => driver.stats.pollCycles >= target, `${n} more poll cycles`);
}

describeElevatorIoCompliance('TCP driver vs simulator', async ({ floors }) => {
  let sim = await startSimulator(simOptions(floors));
  const port = sim.port;
  let simUp = true;
  const driver = new TcpElevatorDriver({ floors, port, ...FAST });
  return {
    io: driver,
    press: (button, floor) => sim.press(button, floor),
    // The simulator's sensor follows its car physics: the harness moves the car (as the operator's
    // motor keys do) to make the sensor read what the suite asks for.
    setFloorSensor: async (floor) => {
      if (floor === null) {
        sim.forceMotor('up');
        await pollUntil(() => sim.state().car.floor === null, 'car between floors');
      } else {
        await pollUntil(() => sim.state().car.floor === floor, `car at floor ${floor}`);
        sim.forceMotor('stop');
      }
    },
    setObstruction: (active) => sim.setObstruction(active),
    setStopButton: (pressed) => sim.setStopButton(pressed),
    serverOutputs: () => outputsOf(sim.state()),
    writeCount: () => driver.stats.writes,
    settle: () => pollCycles(driver),
    dropServer: async () => {
      simUp = false;
      await sim.close();
    },
    restoreServer: async () => {
      // A fresh simulator on the same port: it knows none of the lamps.
      sim = await startSimulator(simOptions(floors, port));
      simUp = true;
    },
    close: async () => {
      await driver.stop();
      if (simUp) await sim.close();
    },
  };
});

describe('TcpElevatorDriver vs simulator', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function startSim(floors = 4): Promise<Simulator> {
    const sim = await startSimulator(simOptions(floors));
    cleanups.push(() => sim.close());
    return sim;
  }

  function startDriver(
    sim: Simulator,
    events: ElevatorInputEvent[] = [],
  ): { driver: TcpElevatorDriver; events: ElevatorInputEvent[] } {
    const driver = new TcpElevatorDriver({ floors: sim.floors, port: sim.port, ...FAST });
    cleanups.push(() => driver.stop());
    driver.onEvent((e) => events.push(e));
    return { driver, events };
  }

  it('driving the motor moves the car; every floor change is reported, and the sensor once more after each motor command', async () => {
    const sim = await startSim();
    const { driver, events } = startDriver(sim);
    await driver.start();
    await pollUntil(() => events.some((e) => e.type === 'floor'), 'initial floor');
    driver.setMotor('up');
    await pollUntil(
      () => events.some((e) => e.type === 'floor' && e.floor === 2),
      'arrived at floor 2',
    );
    driver.setMotor('stop');
    await pollUntil(() => sim.state().car.motor === 'stop', 'motor stopped');
    expect(sim.state().car.floor).toBe(2);
    const floors = () => events.filter((e) => e.type === 'floor').map((e) => e.floor);
    await pollUntil(() => floors().length >= 5, 'the report after the stop');
    // Every change, and after each motor command the sensor once more (read after the command).
    expect(floors()).toEqual([1, 1, null, 2, 2]);
  });

  it('a second client gets no answers until the first goes away, then takes over', async () => {
    const sim = await startSim();
    const first = startDriver(sim);
    await first.driver.start();
    expect(first.driver.connected).toBe(true);
    const second = startDriver(sim);
    await second.driver.start();
    expect(second.driver.connected).toBe(false);
    await pollUntil(() => second.driver.stats.replyTimeouts >= 1, 'second client timed out');
    expect(first.driver.connected).toBe(true);
    await first.driver.stop();
    await pollUntil(() => second.driver.connected, 'second client served', { timeoutMs: 3000 });
    second.driver.setDoorLamp(true);
    await pollUntil(() => sim.state().lamps.door, 'second client drives the lamps');
  });
});
