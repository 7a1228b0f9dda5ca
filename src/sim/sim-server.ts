/**
 * Our elevator simulator as an in-process server: the TCP side of the 4-byte elevator protocol
 * (docs/elevator-protocol.md) in front of a {@link SimElevator}, plus the optional HTTP control
 * API. Used by `elevator-mesh sim`, by the driver's TCP compliance tests and by integration tests.
 *
 * One client at a time, as the reference: every connect succeeds, but only the oldest open
 * connection is served; the others' bytes wait (in order) until it disconnects. When the served
 * client disconnects, the motor stops. Bad frames are logged and skipped (no reply), and the
 * server keeps serving: unlike the reference, nothing hangs it.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ButtonType, Direction } from '../core/types.js';
import {
  FrameSplitter,
  decodeCommand,
  encodeReply,
  isFrameError,
} from '../protocol/elevator-frames.js';
import type { ControlServer } from './control-api.js';
import { startControlServer } from './control-api.js';
import type { SimEvent, SimState } from './sim-elevator.js';
import { SimElevator, SimInputError } from './sim-elevator.js';
import { REFERENCE_PHYSICS } from '../core/timings.js';
import { DEFAULT_PORTS } from '../core/ports.js';

export type { SimChange, SimEvent, SimState } from './sim-elevator.js';
export { SimInputError } from './sim-elevator.js';

/** Options of {@link startSimulator}; all timings are options so tests can run the physics fast. */
export interface SimulatorOptions {
  /** TCP port of the elevator protocol (default `DEFAULT_PORTS.elevatorServer`, 15657; 0 picks a free one). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). The control API always listens on 127.0.0.1. */
  host?: string;
  /** Number of floors, 2 or more (default 4). */
  floors?: number;
  /** Travel time between floors in ms (default 2000). */
  travelMs?: number;
  /** Time the sensor reads a floor while passing it, in ms (default 500). */
  passingMs?: number;
  /** How long a momentary press reads as pressed, in ms (default 200). */
  pressMs?: number;
  /** Start floor; random (half the time between floors) when not given. */
  startFloor?: number | undefined;
  /** Seed of the random start (default: random; logged so a run can be replayed). */
  seed?: number | undefined;
  /** Port of the HTTP control API on 127.0.0.1 (0 picks a free one); no control API when not given. */
  controlPort?: number | undefined;
  /** Logger (default: pino at $LOG_LEVEL, or silent under vitest, else info). */
  logger?: Logger;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
}

/** A running simulator. */
export interface Simulator {
  /** The TCP port actually listened on. */
  readonly port: number;
  /** The control API's port, when it runs. */
  readonly controlPort?: number;
  readonly floors: number;
  /** The seed the random start used. */
  readonly seed: number;
  /** The current state (the control API's `GET /state`). */
  state(): SimState;
  /** A momentary press lasting `pressMs`. Throws {@link SimInputError} for a button that does not exist. */
  press(button: ButtonType, floor: number): void;
  /** Holds or releases a button (stays pressed until released). */
  setButtonHeld(button: ButtonType, floor: number, held: boolean): void;
  isButtonHeld(button: ButtonType, floor: number): boolean;
  /** What a protocol read of the button would return now. */
  isButtonPressed(button: ButtonType, floor: number): boolean;
  setObstruction(on: boolean): void;
  /** Cuts (false) or restores (true) motor power: a lasting mode. */
  setMotorPower(on: boolean): void;
  setStopButton(pressed: boolean): void;
  /** Forces the motor as the operator keys 7/8/9 do (the same as a motor command). */
  forceMotor(dir: Direction): void;
  /** Puts an out-of-bounds car back at its end floor; false if it was not out of bounds. */
  bringBack(): boolean;
  /** Display position of the car: a floor, or half-way between two. */
  carPosition(): number;
  /** Subscribes to changes (each with a monotonic timestamp and the full state); returns unsubscribe. */
  onChange(listener: (event: SimEvent) => void): () => void;
  /** The simulator's clock (ms, `performance.now` unless injected): the time base of events. */
  now(): number;
  /** Stops both servers and drops all connections. */
  close(): Promise<void>;
}

/** Bad simulator options (a clear message; the CLI exits non-zero). */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
  readonly code = 'bad-sim-config';
}

/** mulberry32: a small seeded PRNG, enough for picking a start position. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function defaultLogger(): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { component: 'sim' } });
}

interface Client {
  id: number;
  socket: net.Socket;
  splitter: FrameSplitter;
  /** Whole frames received but not yet served (while waiting for its turn). */
  queued: Uint8Array[];
}

/** Starts the simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const floors = options.floors ?? 4;
  const travelMs = options.travelMs ?? REFERENCE_PHYSICS.travelMs;
  const passingMs = options.passingMs ?? REFERENCE_PHYSICS.passingMs;
  const pressMs = options.pressMs ?? 200;
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => performance.now());
  const log = options.logger ?? defaultLogger();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(floors) || floors < 2 || floors > 255) {
    throw new SimConfigError(`floors must be an integer in 2..255, got ${floors}`);
  }
  for (const [name, v] of [
    ['travelMs', travelMs],
    ['passingMs', passingMs],
    ['pressMs', pressMs],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new SimConfigError(`${name} must be > 0, got ${v}`);
  }
  const { startFloor } = options;
  if (
    startFloor !== undefined &&
    (!Number.isInteger(startFloor) || startFloor < 0 || startFloor >= floors)
  ) {
    throw new SimConfigError(`start floor must be in 0..${floors - 1}, got ${startFloor}`);
  }

  const elevator = new SimElevator({
    floors,
    travelMs,
    passingMs,
    pressMs,
    startFloor,
    random: seededRandom(seed),
    now,
  });

  const clients: Client[] = [];
  let nextId = 1;

  /** Serves the queued frames of the active client, replying to reads in order in one write. */
  const serve = (client: Client): void => {
    if (clients[0] !== client) return;
    const replies: Uint8Array[] = [];
    for (const frame of client.queued.splice(0)) {
      const cmd = decodeCommand(frame, floors);
      if (isFrameError(cmd)) {
        log.warn({ client: client.id, code: cmd.code }, `bad frame ignored: ${cmd.message}`);
        continue;
      }
      try {
        const reply = elevator.execute(cmd);
        if (reply) replies.push(encodeReply(reply));
      } catch (err) {
        if (!(err instanceof SimInputError)) throw err;
        log.warn({ client: client.id, code: err.code }, `command ignored: ${err.message}`);
      }
    }
    if (replies.length > 0 && !client.socket.destroyed) {
      client.socket.write(Buffer.concat(replies));
    }
  };

  const drop = (client: Client): void => {
    const i = clients.indexOf(client);
    if (i < 0) return;
    clients.splice(i, 1);
    log.info({ client: client.id }, 'client disconnected');
    if (i === 0) {
      elevator.setMotor('stop'); // the reference's "stop motor on disconnect"
      const next = clients[0];
      if (next) {
        log.info({ client: next.id }, 'serving the next waiting client');
        serve(next);
      } else {
        elevator.setClientConnected(false);
      }
    }
  };

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const client: Client = { id: nextId++, socket, splitter: new FrameSplitter(), queued: [] };
    clients.push(client);
    const active = clients[0] === client;
    log.info(
      { client: client.id, remote: `${socket.remoteAddress}:${socket.remotePort}` },
      active ? 'client connected' : 'client connected, waiting for the current client to leave',
    );
    if (active) elevator.setClientConnected(true);
    socket.on('data', (chunk: Buffer) => {
      client.queued.push(...client.splitter.push(chunk));
      serve(client);
    });
    socket.on('error', (err) => log.debug({ client: client.id, err: err.message }, 'socket error'));
    socket.on('close', () => drop(client));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORTS.elevatorServer, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err: err.message }, 'tcp server error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let closing: Promise<void> | undefined;
  let control: ControlServer | undefined;

  const sim: Simulator = {
    port,
    floors,
    seed,
    state: () => elevator.state(),
    press: (button, floor) => elevator.press(button, floor),
    setButtonHeld: (button, floor, held) => elevator.setButtonHeld(button, floor, held),
    isButtonHeld: (button, floor) => elevator.isButtonHeld(button, floor),
    isButtonPressed: (button, floor) => elevator.isButtonPressed(button, floor),
    setObstruction: (on) => elevator.setObstruction(on),
    setMotorPower: (on) => elevator.setMotorPower(on),
    setStopButton: (pressed) => elevator.setStopButton(pressed),
    forceMotor: (dir) => elevator.setMotor(dir),
    bringBack: () => elevator.bringBack(),
    carPosition: () => elevator.carPosition(),
    onChange: (listener) => elevator.onChange(listener),
    now,
    close: () => {
      closing ??= (async () => {
        for (const c of clients.splice(0)) c.socket.destroy();
        await Promise.all([
          new Promise<void>((resolve) => server.close(() => resolve())),
          control?.close(),
        ]);
        elevator.close();
      })();
      return closing;
    },
  };

  if (options.controlPort !== undefined) {
    try {
      control = await startControlServer(sim, { port: options.controlPort, logger: log });
    } catch (err) {
      await sim.close();
      throw err;
    }
  }

  const state = elevator.state();
  log.info(
    {
      port,
      controlPort: control?.port,
      floors,
      travelMs,
      passingMs,
      pressMs,
      seed,
      start: { floor: state.car.floor, lastFloor: state.car.lastFloor },
    },
    'simulator listening',
  );
  return control ? { ...sim, controlPort: control.port } : sim;
}
