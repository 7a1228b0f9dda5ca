/**
 * Durability under SIGKILL, at the level of the real node: a non-supervised `elevator-mesh node`
 * process drives our simulator; cab calls are pressed through the simulator's control API, and the
 * node is killed with SIGKILL at a random moment (before or after the lamp lights, while the car
 * moves or its door is open), then restarted on the same state directory.
 *
 * Asserted at every kill: the state file loads (never torn or corrupt) and holds, lit, every cab
 * call whose lamp was on when the node died. Asserted after every restart: each of those lamps is
 * on again once the node has resynced the elevator, and throughout the run no cab lamp ever goes
 * off unless the car is at its floor with the door open (no call lost). At the end every call is
 * served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLit } from '../../src/core/call-register.js';
import { DurableStateStore } from '../../src/io/durable-state-store.js';
import { encodeCommand } from '../../src/protocol/elevator-frames.js';
import { registerFromWire } from '../../src/core/view-message.js';
import { startSimulator, type SimState, type Simulator } from '../../src/sim/sim-server.js';
import { freeUdpPort } from '../../src/io/free-ports.js';
import { SeededRandom } from '../../src/simulation/seeded-random.js';
import { transpileForChild } from '../../src/testing/transpile-for-child.js';

const SEED = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.NODE_KILLS ?? 15);
const FLOORS = 4;
console.log(`node kill test: seed ${SEED} (KILL_SEED=${SEED} to replay), ${KILLS} kills`);

const SRC = resolve(import.meta.dirname, '../../src');
let work: string;
let cli: string;
let sim: Simulator;
let node: ChildProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'em-node-kill-'));
  // Plain JavaScript: a restart through the tsx loader would take three times as long.
  cli = transpileForChild(join(SRC, 'cli/main.ts'), SRC, join(work, 'js'));
  sim = await startSimulator({
    port: 0,
    controlPort: 0,
    floors: FLOORS,
    travelMs: 600,
    passingMs: 200,
    startFloor: 0,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  node?.kill('SIGKILL');
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

const until = async (cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('a node killed with SIGKILL while taking cab calls', () => {
  it(`loses no lit cab call across ${KILLS} kills and restarts`, async () => {
    const random = new SeededRandom(SEED);
    const stateDir = join(work, 'state');
    const store = new DurableStateStore(stateDir);
    const lostCalls: string[] = [];
    const cabOnSince = new Map<number, boolean>(); // floor -> visited by the open door since lit
    let watching = true;
    const seenOn = new Set<number>();
    const watch = (state: SimState): void => {
      state.lamps.cab.forEach((on, f) => {
        if (on) seenOn.add(f);
      });
      if (!watching) return;
      const doorAt = state.lamps.door && state.car.floor !== null ? state.car.floor : null;
      state.lamps.cab.forEach((on, f) => {
        const known = cabOnSince.get(f);
        if (on && known === undefined) cabOnSince.set(f, false);
        if (known !== undefined && doorAt === f) cabOnSince.set(f, true);
        if (!on && known !== undefined) {
          if (!(known || doorAt === f)) lostCalls.push(`cab ${f}`);
          cabOnSince.delete(f);
        }
      });
    };
    sim.onChange((e) => watch(e.state));

    let connected = false;
    const peerPort = await freeUdpPort();
    const nodeEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['ELEVATOR_KEY', 'ELEVATOR_KEY_FILE', 'ELEVATOR_CONFIG']) delete nodeEnv[k];
    const startNode = (): ChildProcess => {
      connected = false;
      const proc = spawn(
        process.execPath,
        [
          cli,
          'node',
          ...['--id', 'k', '--server', `127.0.0.1:${sim.port}`, '--state-dir', stateDir],
          ...['--floors', String(FLOORS), '--peer-port', String(peerPort), '--door-open-ms', '500'],
          ...['--broadcast-address', '127.255.255.255', '--assigner', 'reference'],
          ...['--log-level', 'info'],
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], env: nodeEnv },
      );
      proc.stdout?.setEncoding('utf8');
      proc.stdout?.on('data', (chunk: string) => {
        if (chunk.includes('"controller running"')) connected = true;
      });
      return proc;
    };
    const press = async (floor: number): Promise<void> => {
      const res = await fetch(`http://127.0.0.1:${sim.controlPort}/press`, {
        method: 'POST',
        body: JSON.stringify({ button: 'cab', floor }),
      });
      expect(res.status).toBe(200);
    };

    let litAtKills = 0;
    let restoredLamps = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const proc = startNode();
      node = proc;
      await until(() => connected && sim.state().clientConnected, 'the node to drive the car');

      // Every lamp lit at the previous kill (and wiped since) is lit again, from the state file.
      await until(
        () => pendingAfterKill.every((f) => seenOn.has(f)),
        `kill ${kill - 1}: cab lamps ${JSON.stringify(pendingAfterKill)} to light again after the restart`,
        5000,
      );
      restoredLamps += pendingAfterKill.length;

      // Press one or two cab calls, then kill at a random moment.
      const floors = [random.int(FLOORS), random.int(FLOORS)].slice(0, 1 + random.int(2));
      for (const f of floors) await press(f);
      await new Promise((r) => setTimeout(r, random.int(1500)));
      proc.kill('SIGKILL');
      await until(() => proc.exitCode !== null || proc.signalCode !== null, 'the node to die');
      await until(() => !sim.state().clientConnected, 'the simulator to see the node gone');

      const lit = sim.state().lamps.cab.flatMap((on, f) => (on ? [f] : []));
      litAtKills += lit.length;
      const loaded = store.load(FLOORS);
      if (loaded.kind === 'corrupt')
        expect.fail(`kill ${kill}: state file corrupt: ${loaded.reason}`);
      for (const f of lit) {
        const wire = loaded.kind === 'loaded' ? loaded.state.cab[f] : undefined;
        if (wire === undefined || !isLit(registerFromWire(wire)))
          expect.fail(`kill ${kill}: cab ${f} lamp was on, but the state file does not hold it`);
      }
      pendingAfterKill = lit;
      // Like an elevator server that restarted too: wipe the cab lamps while the node is down, so
      // only the restarted node (from its state file) can light them again.
      watching = false;
      await wipeCabLamps();
      for (const f of lit) cabOnSince.delete(f);
      seenOn.clear();
      watching = true;
    }

    // Last restart: everything lit is served, and nothing was lost on the way.
    node = startNode();
    await until(() => connected && sim.state().clientConnected, 'the node to drive the car');
    await until(
      () => pendingAfterKill.every((f) => seenOn.has(f)),
      'the last kill’s lamps to light again',
      5000,
    );
    restoredLamps += pendingAfterKill.length;
    await until(
      () => sim.state().lamps.cab.every((on) => !on),
      'every cab call to be served',
      30_000,
    );
    node.kill('SIGKILL');
    console.log(
      `node kill test: ${KILLS} kills; ${litAtKills} cab lamps were on at a kill, all in the state file; ` +
        `${restoredLamps} lit again by the restarted node; lost calls: ${lostCalls.length}`,
    );
    expect(lostCalls).toEqual([]);
  });
});

let pendingAfterKill: number[] = [];

/** Switches every cab lamp off over the elevator protocol (the simulator serves one client). */
async function wipeCabLamps(): Promise<void> {
  const socket = net.connect(sim.port, '127.0.0.1');
  await new Promise<void>((ok, fail) => {
    socket.once('connect', ok);
    socket.once('error', fail);
  });
  const frames = Array.from({ length: FLOORS }, (_, floor) =>
    encodeCommand({ type: 'buttonLamp', button: 'cab', floor, on: false }),
  );
  socket.write(Buffer.concat(frames));
  await new Promise((r) => setTimeout(r, 20));
  socket.destroy();
  const deadline = performance.now() + 2000;
  while (sim.state().lamps.cab.some(Boolean) || sim.state().clientConnected) {
    if (performance.now() > deadline) throw new Error('could not wipe the cab lamps');
    await new Promise((r) => setTimeout(r, 5));
  }
}
