import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeElevatorIoCompliance } from '../testing/elevator-io-compliance.js';
import { pollUntil } from '../testing/poll-until.js';
import {
  startScriptedElevatorServer,
  type ScriptedElevatorServer,
} from '../testing/scripted-elevator-server.js';
import type { ElevatorInputEvent } from './elevator-io.js';
import { ElevatorIoConfigError } from './elevator-io-validation.js';
import { TcpElevatorDriver, type TcpElevatorDriverOptions } from './tcp-elevator-driver.js';

/** Fast timings so reconnect tests take tens of ms, not seconds. */
const FAST = {
  pollIntervalMs: 5,
  replyTimeoutMs: 250,
  reconnectMinMs: 10,
  reconnectMaxMs: 50,
} as const;

/** Resolves once the driver has completed `n` more poll cycles (it has seen the current inputs). */
async function pollCycles(driver: TcpElevatorDriver, n = 2): Promise<void> {
  const target = driver.stats.pollCycles + n;
  await pollUntil(() => driver.stats.pollCycles >= target, `${n} more poll cycles`);
}

describeElevatorIoCompliance(
  'TCP driver vs scripted server (server closes)',
  async ({ floors }) => {
    const server = await startScriptedElevatorServer({ floors });
    const driver = new TcpElevatorDriver({ floors, port: server.port, ...FAST });
    return {
      io: driver,
      press: (button, floor) => server.press(button, floor),
      setFloorSensor: (floor) => server.setFloor(floor),
      setObstruction: (active) => server.setObstruction(active),
      setStopButton: (pressed) => server.setStopButton(pressed),
      serverOutputs: () => server.outputs(),
      writeCount: () => driver.stats.writes,
      settle: () => pollCycles(driver),
      dropServer: () => server.stop(),
      restoreServer: () => server.restart(),
      close: async () => {
        await driver.stop();
        await server.close();
      },
    };
  },
);

describeElevatorIoCompliance('TCP driver vs scripted server (server hangs)', async ({ floors }) => {
  const server = await startScriptedElevatorServer({ floors });
  const driver = new TcpElevatorDriver({ floors, port: server.port, ...FAST });
  return {
    io: driver,
    press: (button, floor) => server.press(button, floor),
    setFloorSensor: (floor) => server.setFloor(floor),
    setObstruction: (active) => server.setObstruction(active),
    setStopButton: (pressed) => server.setStopButton(pressed),
    serverOutputs: () => server.outputs(),
    writeCount: () => driver.stats.writes,
    settle: () => pollCycles(driver),
    dropServer: () => {
      server.replyMode = 'silent';
      return Promise.resolve();
    },
    restoreServer: () => {
      // Comes back having forgotten every output, so only a resync can light the lamps again.
      server.resetOutputs();
      server.replyMode = 'normal';
      return Promise.resolve();
    },
    close: async () => {
      await driver.stop();
      await server.close();
    },
  };
});

describe('TcpElevatorDriver over TCP', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(
    options: Partial<TcpElevatorDriverOptions> = {},
    floors = 4,
  ): Promise<{
    server: ScriptedElevatorServer;
    driver: TcpElevatorDriver;
    events: ElevatorInputEvent[];
  }> {
    const server = await startScriptedElevatorServer({ floors });
    cleanups.push(() => server.close());
    const driver = new TcpElevatorDriver({ floors, port: server.port, ...FAST, ...options });
    cleanups.push(() => driver.stop());
    const events: ElevatorInputEvent[] = [];
    driver.onEvent((e) => events.push(e));
    return { server, driver, events };
  }

  it('a server that accepts but never answers is given up within ~1 s and retried (default timings)', async () => {
    const arrivals: number[] = [];
    const sockets = new Set<net.Socket>();
    const raw = net.createServer((s) => {
      arrivals.push(performance.now());
      sockets.add(s);
      s.on('error', () => undefined);
      s.resume(); // reads everything, answers nothing
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          raw.close(() => r());
        }),
    );
    const port = (raw.address() as net.AddressInfo).port;
    const driver = new TcpElevatorDriver({ floors: 4, port, pollIntervalMs: 10 });
    cleanups.push(() => driver.stop());
    await driver.start();
    expect(driver.connected).toBe(false);
    await pollUntil(() => arrivals.length >= 2, 'second connection attempt', { timeoutMs: 3000 });
    const [first = 0, second = 0] = arrivals;
    const gap = second - first;
    console.log(`never-answering server: reconnect attempt after ${gap.toFixed(0)} ms`);
    expect(gap).toBeLessThan(1000);
    expect(driver.stats.replyTimeouts).toBeGreaterThanOrEqual(1);
  });

  it('a server that stops answering is declared lost within ~1 s (default timings)', async () => {
    const { server, driver, events } = await setup({
      replyTimeoutMs: 500,
      reconnectMinMs: 100,
      reconnectMaxMs: 2000,
    });
    await driver.start();
    expect(driver.connected).toBe(true);
    const t0 = performance.now();
    server.replyMode = 'silent';
    await pollUntil(() => !driver.connected, 'connection lost', { timeoutMs: 2000 });
    const noticed = performance.now() - t0;
    console.log(`silent server noticed after ${noticed.toFixed(0)} ms`);
    expect(noticed).toBeLessThan(1000);
    expect(events.at(-1)).toEqual({ type: 'connection', connected: false });
    server.replyMode = 'normal';
    await pollUntil(() => driver.connected, 'reconnected', { timeoutMs: 3000 });
  });

  it.each(['bytewise', 'batched'] as const)(
    'handles %s replies (partial reads, pipelined replies in one chunk)',
    async (mode) => {
      const { server, driver, events } = await setup();
      server.replyMode = mode;
      server.setFloor(2);
      await driver.start();
      expect(driver.connected).toBe(true);
      server.press('hallUp', 1);
      await pollUntil(() => events.some((e) => e.type === 'button'), 'press seen');
      server.setObstruction(true);
      await pollUntil(
        () => events.some((e) => e.type === 'obstruction' && e.active),
        'obstruction seen',
      );
      await pollCycles(driver, 3);
      expect(events.filter((e) => e.type === 'button')).toEqual([
        { type: 'button', button: 'hallUp', floor: 1 },
      ]);
      expect(events).toContainEqual({ type: 'floor', floor: 2 });
      expect(driver.stats.losses).toBe(0);
    },
  );

  it('a starved process is not a dead server: the event loop blocked for longer than the reply timeout does not lose the server', async () => {
    const { driver, events } = await setup();
    await driver.start();
    await pollCycles(driver, 3);
    // What SIGSTOP, a long GC pause or a synchronous slow disk write does to the process: nothing
    // runs for 3x the reply timeout, while the server answers into the socket.
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        const until = performance.now() + 3 * FAST.replyTimeoutMs;
        while (performance.now() < until) {
          // busy: the driver is not scheduled
        }
        resolve();
      }, 1),
    );
    await pollCycles(driver, 5);
    expect(driver.stats.replyTimeouts).toBe(0);
    expect(driver.stats.losses).toBe(0);
    expect(events.filter((e) => e.type === 'connection')).toEqual([
      { type: 'connection', connected: true },
    ]);
  });

  it('sends whole 4-byte frames in every write, the outputs of one turn together, and pipelines a whole poll cycle', async () => {
    const writeSizes: number[] = [];
    const { server, driver } = await setup({
      connect: (port, host) => {
        const socket = net.createConnection({ port, host });
        const write = (chunk: Uint8Array): boolean =>
          net.Socket.prototype.write.call(socket, chunk);
        socket.write = (chunk: Uint8Array) => {
          writeSizes.push(chunk.length);
          return write(chunk);
        };
        return socket;
      },
    });
    await driver.start();
    driver.setButtonLamp('cab', 3, true);
    driver.setMotor('down');
    await pollCycles(driver);
    // The resync's 13 outputs in one write, then the first cycle's 13 reads in one write of 13
    // whole frames (at least two cycles by now); the two outputs set in one turn in one write.
    expect(writeSizes.slice(0, 2)).toEqual([13 * 4, 13 * 4]);
    expect(writeSizes.filter((n) => n === 13 * 4).length).toBeGreaterThanOrEqual(3);
    expect(writeSizes.filter((n) => n === 2 * 4)).toHaveLength(1);
    expect(new Set(writeSizes)).toEqual(new Set([2 * 4, 13 * 4]));
    const lampAndMotor = server.received.findIndex((c) => c.type === 'buttonLamp' && c.on);
    expect(server.received[lampAndMotor + 1]).toEqual({ type: 'motor', dir: 'down' });
    // One cycle: 3 buttons x 4 floors - 2 nonexistent + floor + stop + obstruction = 13 reads.
    const reads = server.received.filter((c) => c.type.startsWith('read'));
    expect(reads.slice(0, 13).filter((c) => c.type === 'readButton')).toHaveLength(10);
    expect(server.received).not.toContainEqual({ type: 'readButton', button: 'hallUp', floor: 3 });
    expect(server.received).not.toContainEqual({
      type: 'readButton',
      button: 'hallDown',
      floor: 0,
    });
  });

  it('puts exactly the changed outputs on the wire, and resyncs everything (motor last) on reconnect', async () => {
    const { server, driver } = await setup();
    await driver.start();
    // Initial resync: 10 existing button lamps, door, stop, motor (no floor indicator set yet).
    await pollUntil(() => server.writes().length === 13, 'initial resync');
    expect(server.writes().at(-1)).toEqual({ type: 'motor', dir: 'stop' });
    driver.setButtonLamp('hallDown', 2, true);
    driver.setButtonLamp('hallDown', 2, true);
    driver.setFloorIndicator(2);
    driver.setFloorIndicator(2);
    driver.setMotor('up');
    driver.setMotor('up');
    await pollCycles(driver);
    expect(server.writes().slice(13)).toEqual([
      { type: 'buttonLamp', button: 'hallDown', floor: 2, on: true },
      { type: 'floorIndicator', floor: 2 },
      { type: 'motor', dir: 'up' },
    ]);
    driver.reassertMotor();
    await pollUntil(() => server.writes().length === 17, 'reasserted motor');
    expect(server.writes().at(-1)).toEqual({ type: 'motor', dir: 'up' });

    await server.restart();
    await pollUntil(() => !driver.connected, 'lost');
    await pollUntil(() => driver.connected, 'reconnected');
    await pollUntil(() => server.writes().length === 14, 'resync after restart');
    const resync = server.writes();
    expect(resync.at(-1)).toEqual({ type: 'motor', dir: 'up' });
    expect(resync).toContainEqual({ type: 'floorIndicator', floor: 2 });
    expect(server.outputs().buttonLamps[2]).toEqual([false, true, false]);
    expect(server.outputs().motor).toBe('up');
    expect(server.badFrames).toEqual([]);
  });

  it('starts without a server, never throws, and connects when the server appears', async () => {
    const { server, driver, events } = await setup();
    await server.stop();
    await expect(driver.start()).resolves.toBeUndefined();
    expect(driver.connected).toBe(false);
    driver.setDoorLamp(true); // remembered while there is no server
    await pollUntil(() => driver.stats.losses >= 3, 'a few refused attempts');
    expect(events).toEqual([]);
    await server.restart();
    await pollUntil(() => driver.connected, 'connected once the server is up');
    await pollUntil(() => server.outputs().doorLamp, 'door lamp sent on connect');
  });

  it('a reply that does not answer its request means a lost server', async () => {
    const sockets = new Set<net.Socket>();
    let connections = 0;
    const raw = net.createServer((s) => {
      connections++;
      sockets.add(s);
      s.on('error', () => undefined);
      // Answers every request with a stop-button reply: wrong for everything but cmd 8.
      s.on('data', (chunk: Buffer) => {
        for (let i = 0; i + 4 <= chunk.length; i += 4) {
          if ((chunk[i] ?? 0) >= 6) s.write(Uint8Array.of(8, 0, 0, 0));
        }
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          raw.close(() => r());
        }),
    );
    const port = (raw.address() as net.AddressInfo).port;
    const driver = new TcpElevatorDriver({ floors: 2, port, ...FAST });
    cleanups.push(() => driver.stop());
    await driver.start();
    await pollUntil(() => connections >= 2, 'reconnected after a mismatched reply');
    expect(driver.connected).toBe(false);
  });

  it('survives a throwing listener, stops on abort, and the server sees the client go', async () => {
    const controller = new AbortController();
    const { server, driver, events } = await setup({ signal: controller.signal });
    driver.onEvent(() => {
      throw new Error('listener bug');
    });
    await driver.start();
    server.press('cab', 0);
    await pollUntil(
      () => events.some((e) => e.type === 'button'),
      'press seen despite bad listener',
    );
    driver.setMotor('up');
    await pollUntil(() => server.outputs().motor === 'up', 'motor up');
    controller.abort();
    await pollUntil(() => !driver.connected, 'stopped by abort');
    await pollUntil(() => server.outputs().motor === 'stop', 'server stopped the motor');
    expect(events.at(-1)).toEqual({ type: 'connection', connected: false });
  });

  it('a driver stopped before it started never connects', async () => {
    const { server, driver } = await setup();
    await driver.stop();
    await driver.start();
    expect(driver.connected).toBe(false);
    expect(server.connections).toBe(0);
  });

  it('rejects bad configuration with a typed error', () => {
    expect(() => new TcpElevatorDriver({ floors: 1 })).toThrow(ElevatorIoConfigError);
    expect(() => new TcpElevatorDriver({ floors: 256 })).toThrow(ElevatorIoConfigError);
    expect(() => new TcpElevatorDriver({ floors: 4, port: 70000 })).toThrow(ElevatorIoConfigError);
    expect(() => new TcpElevatorDriver({ floors: 4, pollIntervalMs: 0 })).toThrow(
      ElevatorIoConfigError,
    );
    expect(
      () => new TcpElevatorDriver({ floors: 4, reconnectMinMs: 500, reconnectMaxMs: 100 }),
    ).toThrow(ElevatorIoConfigError);
  });
});
