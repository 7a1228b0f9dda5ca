/**
 * Fuzzing the simulator's control API (`handleControlRequest`, the function behind every HTTP
 * route but `/events`) with random methods, paths and bodies, and with mutations of valid requests.
 *
 * Asserted on every request: it never throws; it answers a response with a numeric status; a
 * refused request (4xx) carries an `error` message and leaves the simulated state unchanged (no
 * change event either); a 200 to a POST is `{ ok: true, ... }`. Afterwards the simulator still
 * takes a valid press.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { handleControlRequest } from '../../src/sim/control-api.js';
import { startSimulator, type Simulator } from '../../src/sim/sim-server.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
console.log(`control-api fuzz: seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${RUNS} runs`);

const FLOORS = 4;

const methodArb = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'post', ''),
  fc.string({ maxLength: 8 }),
);
const pathArb = fc.oneof(
  fc.constantFrom(
    '/press',
    '/obstruction',
    '/motor-power',
    '/stop-button',
    '/state',
    '/events',
    '/',
    '',
    '/press/',
    '/PRESS',
    '//press',
    '/press?x=1',
    '__proto__',
    '/__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '/constructor',
  ),
  fc.string({ maxLength: 20 }),
  fc.webPath(),
);

/** Valid bodies of every route, to mutate. */
const validBodyArb = fc.oneof(
  fc.record({
    button: fc.constantFrom('hallUp', 'hallDown', 'cab'),
    floor: fc.integer({ min: 0, max: FLOORS - 1 }),
  }),
  fc.record({ on: fc.boolean() }),
  fc.record({ pressed: fc.boolean() }),
);
const weirdValueArb = fc.oneof(
  fc.constantFrom(
    -1,
    FLOORS,
    255,
    256,
    1.5,
    Number.MAX_SAFE_INTEGER,
    1e308,
    null,
    'cab',
    '1',
    true,
    [],
    {},
  ),
  fc.jsonValue(),
);
const mutatedBodyArb = fc
  .tuple(
    validBodyArb,
    fc.constantFrom('button', 'floor', 'on', 'pressed', '__proto__', 'x'),
    weirdValueArb,
  )
  .map(([body, key, value]) => JSON.stringify({ ...body, [key]: value }));
const bodyArb = fc.oneof(
  validBodyArb.map((b) => JSON.stringify(b)),
  mutatedBodyArb,
  fc.json(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '{', 'null', '[]', '"x"', '{"__proto__":{"floor":1}}', '{"button":"cab"}'),
);
const requestArb = fc.oneof(
  { weight: 1, arbitrary: fc.record({ method: methodArb, path: pathArb, body: bodyArb }) },
  // Mostly well-aimed requests, so the bodies reach the route handlers.
  {
    weight: 4,
    arbitrary: fc.record({
      method: fc.constant('POST'),
      path: fc.constantFrom('/press', '/obstruction', '/motor-power', '/stop-button'),
      body: bodyArb,
    }),
  },
);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('handleControlRequest with hostile requests', () => {
  it('never throws, refuses with a message and an unchanged state, and keeps working', async () => {
    // No elevator client is connected, so the state changes only through this API.
    sim = await startSimulator({ port: 0, floors: FLOORS, startFloor: 1, pressMs: 60_000 });
    const s = sim;
    let changes = 0;
    s.onChange(() => (changes += 1));
    const statuses = new Map<number, number>();
    fc.assert(
      fc.property(requestArb, ({ method, path, body }) => {
        const before = JSON.stringify(s.state());
        const changesBefore = changes;
        let response: ReturnType<typeof handleControlRequest> | undefined;
        expect(() => (response = handleControlRequest(s, method, path, body))).not.toThrow();
        if (response === undefined) return;
        expect(typeof response.status).toBe('number');
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 400) {
          const error = (response.body as { error?: unknown } | null)?.error;
          expect(typeof error).toBe('string');
          expect((error as string).length).toBeGreaterThan(0);
          expect(JSON.stringify(s.state())).toBe(before);
          expect(changes).toBe(changesBefore);
        } else {
          expect(response.status).toBe(200);
          if (method === 'POST') expect(response.body).toMatchObject({ ok: true });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(
      `control-api fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    // Still works: a valid press is taken.
    const r = handleControlRequest(s, 'POST', '/press', '{"button":"cab","floor":3}');
    expect(r.status).toBe(200);
    expect(s.isButtonPressed('cab', 3)).toBe(true);
  });
});
