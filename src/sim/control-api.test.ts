import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { handleControlRequest } from './control-api.js';
import type { SimEvent } from './sim-elevator.js';
import type { Simulator, SimulatorOptions } from './sim-server.js';
import { startSimulator } from './sim-server.js';

let sims: Simulator[] = [];
async function sim(opts: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator({
    port: 0,
    floors: 4,
    startFloor: 2,
    travelMs: 100,
    passingMs: 25,
    pressMs: 80,
    ...opts,
  });
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function call(
  s: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${s.controlPort}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as unknown) : undefined,
    headers: res.headers,
  };
}

describe('handleControlRequest (no socket)', () => {
  it('GET /state returns exactly the documented shape', async () => {
    const s = await sim();
    const r = handleControlRequest(s, 'GET', '/state', '');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      floors: 4,
      car: { floor: 2, lastFloor: 2, motor: 'stop', motorPower: true, outOfBounds: false },
      lamps: {
        hall: [
          [false, false],
          [false, false],
          [false, false],
          [false, false],
        ],
        cab: [false, false, false, false],
        door: false,
        stop: false,
        floorIndicator: 0,
      },
      obstruction: false,
      stopButton: false,
      clientConnected: false,
    });
  });

  it('answers 400 with what is wrong for bad input, and changes nothing', async () => {
    const s = await sim();
    const cases: [string, string, RegExp][] = [
      ['/press', '{"button":"side","floor":1}', /button/],
      ['/press', '{"button":"cab","floor":4}', /floor 4 out of range 0\.\.3/],
      ['/press', '{"button":"cab","floor":-1}', /floor/],
      ['/press', '{"button":"cab","floor":1.5}', /floor/],
      ['/press', '{"button":"cab"}', /floor/],
      ['/press', '{"button":"hallUp","floor":3}', /no hallUp button at floor 3/],
      ['/press', '{"button":"hallDown","floor":0}', /no hallDown button at floor 0/],
      ['/press', 'not json', /not valid JSON/],
      ['/obstruction', '{"on":"yes"}', /on/],
      ['/motor-power', '{}', /on/],
      ['/stop-button', '{"on":true}', /pressed/],
    ];
    for (const [path, body, message] of cases) {
      const r = handleControlRequest(s, 'POST', path, body);
      expect(r.status, `${path} ${body}`).toBe(400);
      expect((r.body as { error: string }).error, `${path} ${body}`).toMatch(message);
    }
    expect(s.state().obstruction).toBe(false);
    expect(s.state().car.motorPower).toBe(true);
  });

  it('unknown path 404, wrong method 405', async () => {
    const s = await sim();
    expect(handleControlRequest(s, 'GET', '/nope', '').status).toBe(404);
    expect(handleControlRequest(s, 'POST', '/state', '{}').status).toBe(405);
    expect(handleControlRequest(s, 'GET', '/press', '').status).toBe(405);
  });

  it('switches: obstruction, motor power and stop button', async () => {
    const s = await sim();
    expect(handleControlRequest(s, 'POST', '/obstruction', '{"on":true}').status).toBe(200);
    expect(handleControlRequest(s, 'POST', '/motor-power', '{"on":false}').status).toBe(200);
    const r = handleControlRequest(s, 'POST', '/stop-button', '{"pressed":true}');
    expect(r.body).toMatchObject({
      ok: true,
      state: { obstruction: true, stopButton: true, car: { motorPower: false } },
    });
    expect(typeof (r.body as { t: unknown }).t).toBe('number');
  });
});

describe('control API over HTTP', () => {
  it('serves /state with CORS open, answers preflight, 404 and 400', async () => {
    const s = await sim({ controlPort: 0 });
    const state = await call(s, 'GET', '/state');
    expect(state.status).toBe(200);
    expect(state.headers.get('access-control-allow-origin')).toBe('*');
    expect(state.json).toMatchObject({ floors: 4, car: { floor: 2 } });
    const pre = await call(s, 'OPTIONS', '/press');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect((await call(s, 'GET', '/nowhere')).status).toBe(404);
    const badPress = await call(s, 'POST', '/press', { button: 'hallUp', floor: 3 });
    expect(badPress.status).toBe(400);
    expect(badPress.json).toEqual({ error: 'there is no hallUp button at floor 3' });
  });

  it('POST /press reads as pressed for press-ms, then released', async () => {
    const s = await sim({ controlPort: 0 });
    const r = await call(s, 'POST', '/press', { button: 'cab', floor: 1 });
    expect(r.status).toBe(200);
    const t = (r.json as { t: number }).t;
    // Sampled right after the press (the clock is the simulator's own).
    const pressedNow = s.isButtonPressed('cab', 1);
    if (s.now() < t + 80) expect(pressedNow).toBe(true);
    expect(s.isButtonPressed('cab', 0)).toBe(false);
    while (s.now() < t + 80) await new Promise((res) => setTimeout(res, 5));
    expect(s.isButtonPressed('cab', 1)).toBe(false);
  });

  it('GET /events streams the current state first, then one event per change, with monotonic times', async () => {
    const s = await sim({ controlPort: 0 });
    const events: SimEvent[] = [];
    const req = http.get(`http://127.0.0.1:${s.controlPort}/events`);
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as SimEvent);
      }
    });
    const until = async (n: number): Promise<void> => {
      const end = Date.now() + 2000;
      while (events.length < n) {
        if (Date.now() > end) throw new Error(`only ${events.length} events`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    await until(1);
    expect(events[0]?.change).toEqual({ type: 'initial' });
    expect(events[0]?.state.car.floor).toBe(2);
    await call(s, 'POST', '/obstruction', { on: true });
    await call(s, 'POST', '/obstruction', { on: true }); // no change: no event
    await call(s, 'POST', '/press', { button: 'hallDown', floor: 3 });
    s.forceMotor('down'); // leaves 2 after 25 ms, reaches 1 after 100 more
    await until(6);
    req.destroy();
    expect(events.map((e) => e.change.type)).toEqual([
      'initial',
      'obstruction',
      'press',
      'car',
      'car',
      'car',
    ]);
    expect(events[1]?.state.obstruction).toBe(true);
    expect(events[2]?.change).toEqual({ type: 'press', button: 'hallDown', floor: 3 });
    expect(events.slice(3).map((e) => e.state.car.floor)).toEqual([2, null, 1]);
    const times = events.map((e) => e.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Car events carry the physics' exact instants: leave 25 ms after the motor, arrive 100 later.
    const [motorT, leaveT, arriveT] = times.slice(3);
    expect((leaveT ?? 0) - (motorT ?? 0)).toBeCloseTo(25, 6);
    expect((arriveT ?? 0) - (leaveT ?? 0)).toBeCloseTo(100, 6);
  });

  it('closing the simulator ends open event streams', async () => {
    const s = await sim({ controlPort: 0 });
    const req = http.get(`http://127.0.0.1:${s.controlPort}/events`);
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    res.resume();
    const ended = new Promise<void>((resolve) => res.on('close', () => resolve()));
    await s.close();
    await ended;
  });
});
