/**
 * Fuzzing the peer boundary exactly as the node uses it: datagrams go into a running
 * `ControllerNode` (on fakes) at the point the UDP socket would deliver them, through the envelope
 * codec (size, JSON, version, header, MAC, body schema, replay) and, when accepted, into
 * `Controller.handle`.
 *
 * Inputs: random bytes, random JSON, and mutations of valid signed/unsigned datagrams (byte flips,
 * truncation, insertions, number swaps, replays, foreign keys), plus valid but hostile bodies
 * (huge counters, unknown origins, this node's own id as origin, many fake elevators).
 *
 * Asserted on every input: nothing throws out of the boundary; a rejected datagram leaves the
 * controller's state (its broadcast view, lamps, assignment, outputs) unchanged; after every input
 * the node can still broadcast, and what it broadcasts is a message its peers accept; at the end
 * the node still takes and serves a new call.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createHmacAuthenticator } from '../../src/io/hmac.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  type MessageAuthenticator,
} from '../../src/protocol/peer-envelope.js';
import { MAX_MESH_NODES, viewSliceSchema, worldToWire } from '../../src/protocol/world-message.js';
import { type WireRegister, type WorldMessage } from '../../src/core/view-message.js';
import { startHarnessNode, type HarnessNode } from '../../src/testing/node-harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
console.log(`peer-decoder fuzz: seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${RUNS} runs`);

const KEY = 'fuzz-shared-key-0123456789';
const FLOORS = 4;
const SELF = 'a';

const idArb = fc.oneof(
  fc.constantFrom(SELF, 'b', 'c', 'zz'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
);
const counterArb = fc.oneof(
  fc.nat(10),
  fc.integer({ min: 1_700_000_000_000 * 1, max: 1_700_000_000_100 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 52),
  fc.maxSafeNat(),
);
const entryArb: fc.Arbitrary<WireRegister[number]> = fc.oneof(
  fc.tuple(idArb, counterArb),
  fc.tuple(idArb, counterArb, counterArb, counterArb),
  fc.tuple(idArb, counterArb, counterArb, counterArb, fc.array(idArb, { maxLength: 4 })),
);
const registerArb = fc.array(entryArb, { maxLength: 3 });
const floorsArb = fc.oneof(fc.constant(FLOORS), fc.integer({ min: 2, max: 8 }));

/** Schema-valid world messages, hostile in content. */
const bodyArb: fc.Arbitrary<WorldMessage> = floorsArb.chain((floors) =>
  fc.record({
    floors: fc.constant(floors),
    hall: fc.array(fc.tuple(registerArb, registerArb), { minLength: floors, maxLength: floors }),
    cab: fc.dictionary(idArb, fc.array(registerArb, { minLength: floors, maxLength: floors }), {
      maxKeys: 3,
    }),
    elevator: fc.record({
      behaviour: fc.constantFrom('init', 'idle', 'moving', 'doorOpen'),
      floor: fc.option(
        fc.oneof(fc.integer({ min: 0, max: floors - 1 }), fc.integer({ min: 0, max: 255 })),
        { nil: null },
      ),
      direction: fc.constantFrom('up', 'down', 'stop'),
      available: fc.boolean(),
      motorFailed: fc.boolean(),
      obstructed: fc.boolean(),
      connected: fc.boolean(),
    }),
    alive: fc.array(idArb, { maxLength: 4 }),
  }),
);

const headerArb = fc.record({
  from: idArb,
  incarnation: fc.oneof(
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  ),
  seq: fc.oneof(fc.nat(5), fc.maxSafeNat()),
});

const enc = new TextEncoder();

/** How the datagram is signed. */
type Signing = 'right-key' | 'wrong-key' | 'none';

interface Mutation {
  kind: string;
  apply(bytes: Uint8Array): Uint8Array;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'none', apply: (b: Uint8Array) => b }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => ({
    kind: 'flip',
    apply: (b: Uint8Array) => {
      const c = Uint8Array.from(b);
      const i = at % c.length;
      c[i] = (c[i] ?? 0) ^ x;
      return c;
    },
  })),
  fc.nat().map((at) => ({
    kind: 'truncate',
    apply: (b: Uint8Array) => b.subarray(0, at % b.length),
  })),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, ins]) => ({
    kind: 'insert',
    apply: (b: Uint8Array) => {
      const i = at % (b.length + 1);
      return Uint8Array.from([...b.subarray(0, i), ...ins, ...b.subarray(i)]);
    },
  })),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('-1', '1e400', '1.5', '9007199254740993', 'null', '"x"', '[]', '{}', 'NaN'),
    )
    .map(([nth, replacement]) => ({
      kind: `number->${replacement}`,
      apply: (b: Uint8Array) => {
        const text = new TextDecoder().decode(b);
        const numbers = [...text.matchAll(/-?\d+/g)];
        const m = numbers[nth % Math.max(1, numbers.length)];
        if (m === undefined || m.index === undefined) return b;
        return enc.encode(text.slice(0, m.index) + replacement + text.slice(m.index + m[0].length));
      },
    })),
  fc.constantFrom('"v":2', '"from":"a"', '"mac":"00"', '"body":null').map((swap) => ({
    kind: `swap ${swap}`,
    apply: (b: Uint8Array) => {
      const text = new TextDecoder().decode(b);
      const key = swap.slice(0, swap.indexOf(':') + 1);
      const re = new RegExp(`${key}("[^"]*"|[^,}]*)`);
      return enc.encode(text.replace(re, swap));
    },
  })),
  fc.uint8Array({ maxLength: 20 }).map((tail) => ({
    kind: 'append',
    apply: (b: Uint8Array) => Uint8Array.from([...b, ...tail]),
  })),
);

/** Bodies in the wire form's shape (protocol 2) with arbitrary, mostly out-of-range, values. */
const smallInt = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.maxSafeNat(), fc.constant(2 ** 31));
const rawWireArb = fc.record(
  {
    f: fc.oneof(fc.constant(FLOORS), smallInt),
    n: fc.array(idArb, { maxLength: 5 }),
    e: fc.array(smallInt, { minLength: 4, maxLength: 6 }),
    a: smallInt,
    d: fc.oneof(fc.constant('mesh+park'), fc.string()),
    z: smallInt,
    h: fc.array(fc.array(smallInt, { minLength: 2, maxLength: 7 }), { maxLength: 6 }),
    c: fc.array(fc.array(smallInt, { minLength: 2, maxLength: 7 }), { maxLength: 6 }),
    x: fc.array(smallInt, { minLength: 2, maxLength: 4 }),
    y: fc.oneof(fc.constant(1), smallInt),
  },
  { requiredKeys: ['f', 'n', 'e', 'a', 'z', 'h', 'c'] },
);

/** One datagram to deliver. */
type Input =
  | { kind: 'random-bytes'; bytes: Uint8Array }
  | { kind: 'random-json'; json: string }
  | {
      kind: 'raw-wire';
      header: { from: string; incarnation: number; seq: number };
      wire: unknown;
    }
  | {
      kind: 'envelope';
      header: { from: string; incarnation: number; seq: number };
      body: WorldMessage;
      signing: Signing;
      mutation: Mutation;
      /** Deliver it twice (the second one is a replay). */
      replay: boolean;
    };

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 300 })
      .map((bytes) => ({ kind: 'random-bytes' as const, bytes })),
  },
  { weight: 1, arbitrary: fc.json().map((json) => ({ kind: 'random-json' as const, json })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('raw-wire' as const),
      header: headerArb,
      wire: rawWireArb,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('envelope' as const),
      header: headerArb,
      body: bodyArb,
      signing: fc.constantFrom<Signing>('right-key', 'wrong-key', 'none'),
      mutation: mutationArb,
      replay: fc.boolean(),
    }),
  },
);

const rightKey = createHmacAuthenticator(KEY);
const wrongKey = createHmacAuthenticator('not-the-shared-key-at-all');

function datagrams(input: Input): Uint8Array[] {
  switch (input.kind) {
    case 'random-bytes':
      return [input.bytes];
    case 'random-json':
      return [enc.encode(input.json)];
    case 'raw-wire':
      return [encodeEnvelope({ ...input.header, body: input.wire }, { maxBytes: 1_000_000 })];
    case 'envelope': {
      const auth: MessageAuthenticator | undefined =
        input.signing === 'right-key'
          ? rightKey
          : input.signing === 'wrong-key'
            ? wrongKey
            : undefined;
      const valid = encodeEnvelope(
        { ...input.header, body: worldToWire(input.body) },
        { auth, maxBytes: 1_000_000 },
      );
      const bytes = valid.length === 0 ? valid : input.mutation.apply(valid);
      return input.replay ? [bytes, bytes] : [bytes];
    }
  }
}

/** Everything of the node's state that a peer datagram could change. */
function snapshot(h: HarnessNode): string {
  const c = h.node.controller;
  return JSON.stringify({
    message: c.message(),
    hall: c.hallLights(),
    cab: c.cabLights(),
    alive: c.alivePeers(),
    assignment: c.currentAssignment(),
    outputs: h.io.desiredOutputs(),
    saved: h.store.state ?? null,
  });
}

/** What the node sends must pass its peers' decoder (else a hostile body partitions it). */
function expectBroadcastAcceptable(h: HarnessNode, auth: MessageAuthenticator | undefined): void {
  const before = h.transport.sent.length;
  expect(() => h.broadcast()).not.toThrow();
  const sent = h.transport.sent[before];
  expect(sent).toBeDefined();
  if (sent === undefined) return;
  expect(sent.length).toBeLessThanOrEqual(1200);
  const decoded = decodeEnvelope(sent, { bodySchema: viewSliceSchema, auth, selfId: 'peer' });
  if (!decoded.ok) expect.fail(`a peer would drop this node's broadcast: ${decoded.message}`);
}

let harness: HarnessNode | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** After the fuzzing: fake peers time out, and a fresh cab call is taken and served. */
function expectStillServes(h: HarnessNode): void {
  h.clock.now += 10 * h.config.peerTimeoutMs;
  h.tick();
  const floor = 2;
  h.io.press('cab', floor);
  h.tick();
  expect(h.node.controller.cabLights()[floor]).toBe(true);
  // Drive the car: move the floor sensor as the motor asks until the door opens at the floor.
  for (let step = 0; step < 100 && h.node.controller.cabLights()[floor] === true; step++) {
    const motor = h.io.desiredOutputs().motor;
    const at = h.io.floorSensor ?? 0;
    if (motor === 'up') h.io.setFloorSensor(at + 1);
    else if (motor === 'down') h.io.setFloorSensor(at - 1);
    h.clock.now += 500;
    h.tick();
  }
  expect(h.node.controller.cabLights()[floor]).toBe(false);
}

describe.each([
  { name: 'with a shared key', key: KEY },
  { name: 'without a key', key: undefined },
])('peer datagrams into a running node, $name', ({ key }) => {
  it('never throw, leave the state unchanged when rejected, and keep the node working', async () => {
    const h = await startHarnessNode({ config: { key, id: SELF, floors: FLOORS } });
    harness = h;
    const auth = key === undefined ? undefined : rightKey;
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const datagram of datagrams(input)) {
          const before = snapshot(h);
          const acceptedBefore = h.accepted;
          h.clock.now += 1;
          expect(() => h.transport.inject(datagram)).not.toThrow();
          if (h.accepted === acceptedBefore) {
            rejected += 1;
            expect(snapshot(h)).toBe(before);
          } else {
            accepted += 1;
          }
          expectBroadcastAcceptable(h, auth);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(
      `peer-decoder fuzz (${key === undefined ? 'no key' : 'key'}): ${accepted} accepted, ${rejected} rejected`,
    );
    // The generators must exercise both paths (too few runs may legitimately miss one).
    if (RUNS >= 100) {
      expect(accepted).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    }
    expectStillServes(h);
  });
});

describe('a hostile sender that piles up state (no key)', () => {
  it('cannot make the node unable to broadcast, nor make its broadcasts unacceptable', async () => {
    const h = await startHarnessNode({ config: { id: SELF, floors: FLOORS } });
    harness = h;
    const empty = (): WireRegister => [];
    // 300 fake senders, each naming 25 new origins in one register (a datagram holds at most 30
    // ids and 1,200 bytes) and 3 new cab owners.
    for (let n = 0; n < 300; n++) {
      const origins = (floor: number, d: number): WireRegister =>
        (n + d) % (2 * FLOORS) === 2 * floor
          ? Array.from({ length: 25 }, (_, i) => [`o${n}x${floor}x${i}`, 5, 5, 0])
          : [];
      const body: WorldMessage = {
        floors: FLOORS,
        hall: Array.from({ length: FLOORS }, (_, f) => [origins(f, 0), origins(f, 1)]),
        cab: Object.fromEntries(
          Array.from({ length: 3 }, (_, i) => [
            `owner${n}x${i}`,
            Array.from({ length: FLOORS }, empty),
          ]),
        ),
        elevator: {
          behaviour: 'idle',
          floor: 0,
          direction: 'stop',
          available: true,
          motorFailed: false,
          obstructed: false,
          connected: true,
        },
        alive: [],
      };
      h.clock.now += 1;
      const datagram = encodeEnvelope(
        { from: `fake${n}`, incarnation: 1, seq: 1, body: worldToWire(body) },
        { maxBytes: 1200 },
      );
      const acceptedBefore = h.accepted;
      expect(() => h.transport.inject(datagram)).not.toThrow();
      expect(h.accepted).toBe(acceptedBefore + 1);
      expectBroadcastAcceptable(h, undefined);
    }
    const c = h.node.controller;
    expect(c.alivePeers().length).toBeLessThanOrEqual(MAX_MESH_NODES);
    expect(Object.keys(c.message().cab).length).toBeLessThanOrEqual(MAX_MESH_NODES);
    for (const [up, down] of c.message().hall) {
      expect(up.length).toBeLessThanOrEqual(MAX_MESH_NODES);
      expect(down.length).toBeLessThanOrEqual(MAX_MESH_NODES);
    }
    expectStillServes(h);
  });

  it("gets no say in this node's cab calls: a foreign origin cannot block a cab button", async () => {
    const h = await startHarnessNode({ config: { id: SELF, floors: FLOORS } });
    harness = h;
    const cabs: WireRegister[] = Array.from({ length: FLOORS }, () => []);
    cabs[2] = [['evil', 99, 0, 0, ['evil']]]; // a pending instance nobody will ever confirm
    const body: WorldMessage = {
      floors: FLOORS,
      hall: Array.from({ length: FLOORS }, () => [[], []]),
      cab: { [SELF]: cabs },
      elevator: {
        behaviour: 'idle',
        floor: 3,
        direction: 'stop',
        available: true,
        motorFailed: false,
        obstructed: false,
        connected: true,
      },
      alive: [],
    };
    // Protocol 2 cannot even say it (a cab entry's origin is its owner): the entry is left out.
    h.transport.inject(
      encodeEnvelope({ from: 'evil', incarnation: 1, seq: 1, body: worldToWire(body) }),
    );
    expect(h.accepted).toBe(1);
    expectStillServes(h);
  });
});
