/**
 * Integration: the real `elevator-mesh node` process against the real `elevator-mesh sim` process
 * (fast physics). Buttons are pressed through the simulator's control API and everything is
 * checked from outside, through the simulator's state stream, as a person at the lab would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../src/io/free-ports.js';
import { SseClient } from '../dashboard/sse-client.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DOOR_MS = 600;

interface SimState {
  car: { floor: number | null; motor: string };
  lamps: { hall: [boolean, boolean][]; cab: boolean[]; door: boolean };
  clientConnected: boolean;
}
interface Sample {
  /** The simulator's monotonic clock at the change (ms), not when the test read it. */
  t: number;
  /** Its place in the stream. */
  i: number;
  state: SimState;
}

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function post(port: number, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('node process against the simulator process', () => {
  let sim: ChildProcess;
  let node: ChildProcess | undefined;
  let controlPort: number;
  let nodeArgs: string[];
  const stream = new SseClient();
  /**
   * Every state the simulator reported, stamped with the simulator's own clock: a busy test
   * process reads events late, but the instants it measures between are the simulator's.
   */
  const samples = (): Sample[] =>
    stream.events
      .flatMap((e) => {
        const { t, state } = JSON.parse(e.data) as { t?: number; state?: SimState };
        return state === undefined || t === undefined ? [] : [{ t, state }];
      })
      .map((x, i) => ({ ...x, i }));
  const stateDir = mkdtempSync(join(tmpdir(), 'em-it-'));

  /**
   * Waits until the latest state satisfies `ok`; returns the sample where that stretch began (the
   * change that made `ok` true), however late the test looked: a later sample of the same
   * stretch would shorten every interval measured from it.
   */
  async function waitFor(what: string, ok: (s: SimState) => boolean, ms = 15_000): Promise<Sample> {
    const deadline = Date.now() + ms;
    for (;;) {
      const all = samples();
      let first = all.length;
      while (first > 0 && ok((all[first - 1] as Sample).state)) first -= 1;
      const began = all[first];
      if (began !== undefined) return began;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Waits for the first state after `after` that satisfies `ok`, and returns it. */
  async function next(
    after: Sample,
    what: string,
    ok: (s: SimState) => boolean,
    ms = 15_000,
  ): Promise<Sample> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = samples().find((x) => x.i > after.i && ok(x.state));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  beforeAll(async () => {
    const port = await freeTcpPort();
    controlPort = await freeTcpPort();
    const peerPort = await freeTcpPort();
    sim = cli([
      'sim',
      '--headless',
      '--port',
      String(port),
      '--control-port',
      String(controlPort),
      '--floors',
      '4',
      '--travel-ms',
      '200',
      '--passing-ms',
      '50',
      '--start-floor',
      '0',
    ]);
    // The simulator's event stream: every change of car, lamps or switches with its full state.
    for (const deadline = Date.now() + 20_000; ;) {
      try {
        await stream.connect(`http://127.0.0.1:${controlPort}/events`);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error('the simulator did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    nodeArgs = [
      'node',
      '--id',
      'it1',
      '--server',
      `127.0.0.1:${port}`,
      '--floors',
      '4',
      '--state-dir',
      stateDir,
      '--peer-port',
      String(peerPort),
      '--broadcast-address',
      '127.255.255.255',
      '--door-open-ms',
      String(DOOR_MS),
      '--motor-timeout-ms',
      '1500',
      '--log-level',
      'warn',
    ];
    node = cli(nodeArgs);
    await waitFor('the node to connect', (s) => s.clientConnected && s.car.floor === 0, 20_000);
  }, 60_000);

  afterAll(() => {
    stream.close();
    node?.kill('SIGKILL');
    sim.kill('SIGTERM');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves a cab call: lamp on, the car arrives, the door stays open the door time, lamp off', async () => {
    expect(await post(controlPort, '/press', { button: 'cab', floor: 3 })).toBe(200);
    await waitFor('cab lamp 3 on', (s) => s.lamps.cab[3] === true, 8000);
    const opened = await waitFor('door open at floor 3', (s) => s.lamps.door && s.car.floor === 3);
    // The node opens the door, then clears the lamp: two changes, the door open at both.
    const cleared = await next(opened, 'cab lamp 3 off', (s) => s.lamps.cab[3] === false);
    expect(cleared.state.lamps.door && cleared.state.car.floor === 3).toBe(true);
    const closed = await waitFor('door closed', (s) => !s.lamps.door);
    expect(closed.i).toBeGreaterThan(cleared.i);
    expect(closed.t - opened.t).toBeGreaterThanOrEqual(DOOR_MS - 20);
    // The door was never open while the motor ran.
    expect(samples().filter((x) => x.state.lamps.door && x.state.car.motor !== 'stop')).toEqual([]);
  });

  it('serves a hall call announcing its direction, and clears only that direction', async () => {
    expect(await post(controlPort, '/press', { button: 'hallDown', floor: 1 })).toBe(200);
    expect(await post(controlPort, '/press', { button: 'hallUp', floor: 1 })).toBe(200);
    await waitFor(
      'both hall lamps at 1 on',
      (s) => s.lamps.hall[1]?.[0] === true && s.lamps.hall[1]?.[1] === true,
      8000,
    );
    const first = await waitFor(
      'the car at 1 with its door open',
      (s) => s.lamps.door && s.car.floor === 1,
    );
    const lit = (s: SimState): number => (s.lamps.hall[1] ?? []).filter(Boolean).length;
    // Exactly one direction cleared at the arrival (the change after the door opened) ...
    const one = await next(first, 'one hall lamp at 1 off', (s) => lit(s) < 2);
    expect(lit(one.state)).toBe(1);
    expect(one.state.lamps.door && one.state.car.floor === 1).toBe(true);
    const both = await next(one, 'both lamps off', (s) => lit(s) === 0);
    // ... and the second direction is announced a full door time later, the door open throughout.
    expect(both.t - first.t).toBeGreaterThanOrEqual(DOOR_MS - 20);
    expect(both.t - one.t).toBeGreaterThanOrEqual(DOOR_MS - 20);
    expect(
      samples()
        .filter((x) => x.t >= first.t && x.t <= both.t)
        .every((x) => x.state.lamps.door),
    ).toBe(true);
  });

  it('after kill -9 the restarted node restores its cab call from disk and serves it', async () => {
    await waitFor('door closed', (s) => !s.lamps.door);
    expect(await post(controlPort, '/press', { button: 'cab', floor: 0 })).toBe(200);
    await waitFor('cab lamp 0 on', (s) => s.lamps.cab[0] === true, 8000);
    node?.kill('SIGKILL');
    await new Promise((r) => node?.once('exit', r));
    node = cli(nodeArgs);
    const served = await waitFor(
      'the car at 0 with its door open',
      (s) => s.lamps.door && s.car.floor === 0,
      20_000,
    );
    const cleared = await next(served, 'cab lamp 0 off', (s) => s.lamps.cab[0] === false);
    expect(cleared.state.lamps.door && cleared.state.car.floor === 0).toBe(true);
  });
});
