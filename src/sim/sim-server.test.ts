import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ElevatorCommand } from '../protocol/elevator-frames.js';
import { encodeCommand } from '../protocol/elevator-frames.js';
import type { Simulator, SimulatorOptions } from './sim-server.js';
import { SimConfigError, startSimulator } from './sim-server.js';

/** Fast physics: one floor in 125 ms. */
const FAST = { travelMs: 100, passingMs: 25, pressMs: 60 };

/** A raw protocol client: writes frames, collects every reply byte. */
class RawClient {
  readonly socket: net.Socket;
  private buf = Buffer.alloc(0);
  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => (this.buf = Buffer.concat([this.buf, d])));
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }
  send(...cmds: (ElevatorCommand | number[])[]): void {
    const frames = cmds.map((c) => (Array.isArray(c) ? Buffer.from(c) : encodeCommand(c)));
    this.socket.write(Buffer.concat(frames));
  }
  get receivedBytes(): number {
    return this.buf.length;
  }
  /** Waits for `n` reply frames and takes them. */
  async replies(n: number, timeoutMs = 2000): Promise<number[][]> {
    await waitFor(() => this.buf.length >= 4 * n, timeoutMs, `${n} replies`);
    const out: number[][] = [];
    for (let i = 0; i < n; i++) out.push(Array.from(this.buf.subarray(4 * i, 4 * i + 4)));
    this.buf = this.buf.subarray(4 * n);
    return out;
  }
  async read(cmd: ElevatorCommand): Promise<number[]> {
    this.send(cmd);
    const [r] = await this.replies(1);
    return r ?? [];
  }
  async floor(): Promise<number | null> {
    const r = await this.read({ type: 'readFloor' });
    return r[1] === 1 ? (r[2] ?? null) : null;
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

async function waitFor(cond: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let sims: Simulator[] = [];
let clients: RawClient[] = [];
async function sim(opts: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator({ port: 0, floors: 4, startFloor: 1, ...FAST, ...opts });
  sims.push(s);
  return s;
}
async function client(s: Simulator): Promise<RawClient> {
  const c = await RawClient.connect(s.port);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients) c.socket.destroy();
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
  clients = [];
});

describe('startSimulator over TCP', () => {
  it('drives the motor and reads the floor sensor as the car moves (travel 100 / passing 80)', async () => {
    // Passing 80 ms leaves the poll loop time to stop at floor 2 even on a loaded machine.
    const s = await sim({ passingMs: 80 });
    const c = await client(s);
    expect(await c.floor()).toBe(1);
    const floors: (number | null)[] = [];
    s.onChange((e) => {
      if (e.change.type === 'car') floors.push(e.state.car.floor);
    });
    c.send({ type: 'motor', dir: 'up' });
    // Poll the sensor as a controller does until the car reaches floor 2, then stop there.
    let seenBetween = false;
    for (;;) {
      const f = await c.floor();
      if (f === null) seenBetween = true;
      if (f === 2) break;
    }
    c.send({ type: 'motor', dir: 'stop' });
    expect(seenBetween).toBe(true);
    await waitFor(() => s.state().car.motor === 'stop');
    await sleep(120); // longer than the passing time: it stays
    expect(await c.floor()).toBe(2);
    expect(floors).toEqual([1, null, 2, 2]); // motor change at 1, leave 1, arrive 2, motor stop
  });

  it('answers pipelined reads in order, frames packed in one chunk or split across chunks', async () => {
    const s = await sim();
    const c = await client(s);
    s.setObstruction(true);
    c.send({ type: 'readFloor' }, { type: 'readObstruction' }, { type: 'readStop' });
    expect(await c.replies(3)).toEqual([
      [7, 1, 1, 0],
      [9, 1, 0, 0],
      [8, 0, 0, 0],
    ]);
    // One frame and a half, then the rest.
    c.socket.write(Buffer.from([7, 0, 0, 0, 9, 0]));
    await sleep(20);
    expect(c.receivedBytes).toBe(4);
    c.socket.write(Buffer.from([0, 0]));
    expect(await c.replies(2)).toEqual([
      [7, 1, 1, 0],
      [9, 1, 0, 0],
    ]);
  });

  it('serves one client at a time: a second client waits, then is served in order', async () => {
    const s = await sim();
    const first = await client(s);
    const second = await client(s);
    second.send({ type: 'readFloor' }, { type: 'readStop' });
    expect(await first.floor()).toBe(1);
    await sleep(50);
    expect(second.receivedBytes).toBe(0);
    expect(s.state().clientConnected).toBe(true);
    await first.close();
    expect(await second.replies(2)).toEqual([
      [7, 1, 1, 0],
      [8, 0, 0, 0],
    ]);
    await second.close();
    await waitFor(() => !s.state().clientConnected, 2000, 'clientConnected false');
  });

  it('stops the motor when the client disconnects', async () => {
    const s = await sim();
    const c = await client(s);
    c.send({ type: 'motor', dir: 'up' });
    await waitFor(() => s.state().car.motor === 'up');
    await c.close();
    await waitFor(() => s.state().car.motor === 'stop');
    const pos = s.state().car;
    await sleep(150); // more than a floor's travel: the car did not move on
    expect(s.state().car).toEqual(pos);
  });

  it('logs and ignores bad frames and keeps answering', async () => {
    // A long passing time, so the car is still at floor 1 when the reload is refused.
    const s = await sim({ passingMs: 300 });
    const c = await client(s);
    c.send(
      [2, 0, 9, 1], // lamp at floor 9 of 4
      [2, 3, 0, 1], // button 3
      [2, 2, 0, 7], // lamp value 7
      [3, 4, 0, 0], // floor indicator 4
      [6, 0, 4, 0], // read button at floor 4: no reply
      [42, 0, 0, 0], // unknown command
      { type: 'readFloor' },
    );
    expect(await c.replies(1)).toEqual([[7, 1, 1, 0]]);
    await sleep(20);
    expect(c.receivedBytes).toBe(0);
    expect(s.state().lamps).toMatchObject({ floorIndicator: 0, cab: [false, false, false, false] });
    // cmd 0 while moving is refused (the reference would hang), the car keeps going.
    c.send({ type: 'motor', dir: 'up' }, { type: 'reload' });
    expect(await c.floor()).toBe(1);
    await waitFor(() => s.state().car.floor === 2, 2000, 'car at 2');
    expect(s.state().car.motor).toBe('up');
  });

  it('cmd 0 with the motor stopped restarts the car at the configured start', async () => {
    const s = await sim({ startFloor: 0 });
    const c = await client(s);
    c.send({ type: 'motor', dir: 'up' });
    await waitFor(() => s.state().car.floor === 1);
    c.send({ type: 'motor', dir: 'stop' }, { type: 'reload' });
    await waitFor(() => s.state().car.floor === 0);
    expect(s.state().car).toMatchObject({ floor: 0, lastFloor: 0, motor: 'stop' });
  });

  it('writes lamps, and a press reads as pressed for pressMs only', async () => {
    const s = await sim();
    const c = await client(s);
    c.send(
      { type: 'buttonLamp', button: 'hallUp', floor: 0, on: true },
      { type: 'buttonLamp', button: 'hallDown', floor: 3, on: true },
      { type: 'buttonLamp', button: 'cab', floor: 2, on: true },
      { type: 'buttonLamp', button: 'hallUp', floor: 3, on: true }, // no such button: ignored
      { type: 'floorIndicator', floor: 3 },
      { type: 'doorLamp', on: true },
      { type: 'stopLamp', on: true },
    );
    await waitFor(() => s.state().lamps.stop);
    expect(s.state().lamps).toEqual({
      hall: [
        [true, false],
        [false, false],
        [false, false],
        [false, true],
      ],
      cab: [false, false, true, false],
      door: true,
      stop: true,
      floorIndicator: 3,
    });
    const t0 = s.now();
    s.press('cab', 3);
    const pressed = await c.read({ type: 'readButton', button: 'cab', floor: 3 });
    if (s.now() - t0 < FAST.pressMs) expect(pressed).toEqual([6, 1, 0, 0]);
    await sleep(FAST.pressMs + 10);
    expect(await c.read({ type: 'readButton', button: 'cab', floor: 3 })).toEqual([6, 0, 0, 0]);
    s.setButtonHeld('hallDown', 1, true);
    await sleep(FAST.pressMs + 10);
    expect(await c.read({ type: 'readButton', button: 'hallDown', floor: 1 })).toEqual([
      6, 1, 0, 0,
    ]);
    // A button that does not exist reads 0 (hall down at the bottom).
    expect(await c.read({ type: 'readButton', button: 'hallDown', floor: 0 })).toEqual([
      6, 0, 0, 0,
    ]);
    expect(() => s.press('hallUp', 3)).toThrow(/no hallUp button/);
  });

  it('motor power loss is a lasting mode; power back obeys the last motor command', async () => {
    const s = await sim();
    const c = await client(s);
    s.setMotorPower(false);
    c.send({ type: 'motor', dir: 'up' });
    await waitFor(() => s.state().car.motor === 'up');
    await sleep(200);
    expect(await c.floor()).toBe(1); // did not move
    s.setMotorPower(true); // no new write from the controller
    await waitFor(() => s.state().car.floor === 2, 2000, 'car at 2 after power returns');
  });

  it('out of bounds past the top ignores the motor until brought back', async () => {
    const s = await sim({ startFloor: 3 });
    const c = await client(s);
    c.send({ type: 'motor', dir: 'up' });
    await waitFor(() => s.state().car.outOfBounds);
    c.send({ type: 'motor', dir: 'down' });
    await sleep(200);
    expect(await c.floor()).toBe(null);
    expect(s.bringBack()).toBe(true);
    expect(await c.floor()).toBe(3);
    await waitFor(() => s.state().car.floor === 2, 2000, 'car back down at 2');
  });

  it('random start is reproducible from the seed and may be between floors', async () => {
    const starts = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const a = await sim({ seed, startFloor: undefined });
      const b = await sim({ seed, startFloor: undefined });
      expect(a.state().car).toEqual(b.state().car);
      starts.add(a.state().car.floor === null ? 'between' : 'floor');
    }
    expect(starts).toEqual(new Set(['between', 'floor']));
  });

  it('supports many floors and rejects bad options', async () => {
    const s = await sim({ floors: 12, startFloor: 11 });
    const c = await client(s);
    expect(await c.floor()).toBe(11);
    c.send([3, 11, 0, 0]);
    await waitFor(() => s.state().lamps.floorIndicator === 11);
    await expect(startSimulator({ port: 0, floors: 1 })).rejects.toThrow(SimConfigError);
    await expect(startSimulator({ port: 0, startFloor: 4 })).rejects.toThrow(/start floor/);
    await expect(startSimulator({ port: 0, travelMs: 0 })).rejects.toThrow(/travelMs/);
  });
});
