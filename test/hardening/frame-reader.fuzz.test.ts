/**
 * Fuzzing the 4-byte frame reader as the simulator and the driver use it: a TCP byte stream, cut
 * into random chunks, through `FrameSplitter` into `decodeCommand` / `decodeReply`.
 *
 * Inputs: random bytes, and streams of valid frames with some frames mutated (random bytes,
 * out-of-range floors and buttons, non-boolean flags, unknown commands).
 *
 * Asserted: nothing throws; chunking never changes what is decoded (the same as cutting the whole
 * stream into 4-byte frames); a decoded command or reply is always a valid one (it re-encodes to a
 * frame that decodes to itself); a rejected frame is a typed `FrameError` with a known code; the
 * splitter keeps working after garbage. And against the real simulator over TCP: rejected frames
 * change nothing and get no reply, while the valid reads among them are still answered, in order.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FRAME_SIZE,
  FrameSplitter,
  decodeCommand,
  decodeReply,
  encodeCommand,
  encodeReply,
  isFrameError,
  type ElevatorCommand,
} from '../../src/protocol/elevator-frames.js';
import { startSimulator, type Simulator } from '../../src/sim/sim-server.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
console.log(`frame-reader fuzz: seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${RUNS} runs`);

const FRAME_ERROR_CODES = [
  'frame-length',
  'unknown-command',
  'floor-out-of-range',
  'bad-button',
  'bad-value',
];

const floorsArb = fc.integer({ min: 2, max: 12 });

const validCommandArb = (floors: number): fc.Arbitrary<ElevatorCommand> => {
  const floor = fc.integer({ min: 0, max: floors - 1 });
  const button = fc.constantFrom('hallUp', 'hallDown', 'cab' as const);
  return fc.oneof(
    fc.constant({ type: 'reload' as const }),
    fc.constantFrom('up', 'down', 'stop' as const).map((dir) => ({ type: 'motor' as const, dir })),
    fc
      .record({ button, floor, on: fc.boolean() })
      .map((r) => ({ type: 'buttonLamp' as const, ...r })),
    floor.map((f) => ({ type: 'floorIndicator' as const, floor: f })),
    fc.boolean().map((on) => ({ type: 'doorLamp' as const, on })),
    fc.boolean().map((on) => ({ type: 'stopLamp' as const, on })),
    fc.record({ button, floor }).map((r) => ({ type: 'readButton' as const, ...r })),
    fc.constantFrom(
      { type: 'readFloor' as const },
      { type: 'readStop' as const },
      { type: 'readObstruction' as const },
    ),
  );
};

/** A frame mutation: one byte replaced by a random or a boundary value. */
const byteMutationArb = fc.record({
  index: fc.integer({ min: 0, max: FRAME_SIZE - 1 }),
  value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(2, 3, 10, 127, 128, 255)),
});

/** A stream of frames, some valid, some mutated, some random; the floors it is read with. */
const streamArb = floorsArb.chain((floors) =>
  fc.record({
    floors: fc.constant(floors),
    frames: fc.array(
      fc.oneof(
        validCommandArb(floors).map((c) => encodeCommand(c, floors)),
        fc.tuple(validCommandArb(floors), byteMutationArb).map(([c, m]) => {
          const f = Uint8Array.from(encodeCommand(c, floors));
          f[m.index] = m.value;
          return f;
        }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
      ),
      { maxLength: 40 },
    ),
    /** Some streams end with a partial frame (a half-sent frame before a disconnect). */
    tail: fc.uint8Array({ maxLength: 3 }),
    cuts: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 60 }),
  }),
);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts `bytes` into chunks of the given sizes (0 = an empty chunk), the rest as one chunk. */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const size of cuts) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

describe('FrameSplitter + decoders on a randomly chunked stream', () => {
  it('decode exactly the 4-byte frames of the stream, valid ones validly, never throwing', () => {
    fc.assert(
      fc.property(streamArb, ({ floors, frames, tail, cuts }) => {
        const stream = concat([...frames, tail]);
        const splitter = new FrameSplitter();
        const got: Uint8Array[] = [];
        for (const c of chunk(stream, cuts)) {
          got.push(...splitter.push(c));
          expect(splitter.pendingBytes).toBeLessThan(FRAME_SIZE);
        }
        expect(got.map((f) => [...f])).toEqual(frames.map((f) => [...f]));
        expect(splitter.pendingBytes).toBe(tail.length);

        for (const frame of got) {
          const cmd = decodeCommand(frame, floors);
          if (isFrameError(cmd)) {
            expect(FRAME_ERROR_CODES).toContain(cmd.code);
            expect(cmd.message).not.toBe('');
          } else {
            // A decoded command is a valid one: it encodes, and means the same after a round trip.
            const again = encodeCommand(cmd, floors);
            expect(decodeCommand(again, floors)).toEqual(cmd);
          }
          const reply = decodeReply(frame, floors);
          if (isFrameError(reply)) expect(FRAME_ERROR_CODES).toContain(reply.code);
          else expect(decodeReply(encodeReply(reply), floors)).toEqual(reply);
        }

        // Still works after whatever came before: a reset drops the partial frame.
        splitter.reset();
        const probe = encodeCommand({ type: 'readFloor' });
        expect(splitter.push(probe).map((f) => [...f])).toEqual([[...probe]]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

// --- against the real simulator over TCP -----------------------------------------------------

let sim: Simulator | undefined;
let socket: net.Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await sim?.close();
  sim = undefined;
  socket = undefined;
});

describe('the simulator reading a hostile TCP stream', () => {
  it('ignores bad frames without a reply or a state change, and still answers valid reads', async () => {
    const floors = 4;
    const startFloor = 2;
    sim = await startSimulator({ port: 0, floors, startFloor, travelMs: 100, passingMs: 25 });
    const s = sim;
    const sock = net.connect(s.port, '127.0.0.1');
    socket = sock;
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const replies = new FrameSplitter();
    const received: Uint8Array[] = [];
    sock.on('data', (d: Buffer) => received.push(...replies.push(d)));

    // Frames that the simulator must reject (it validates floors against its own floor count).
    const badFrameArb = fc
      .oneof(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc
          .tuple(fc.integer({ min: 2, max: 3 }), fc.nat(255), fc.nat(255), fc.nat(255))
          .map((t) => Uint8Array.from(t)),
      )
      .filter((f) => isFrameError(decodeCommand(f, floors)));
    const readFloor = encodeCommand({ type: 'readFloor' });
    const caseArb = fc.record({
      items: fc.array(fc.oneof(badFrameArb, fc.constant(readFloor)), {
        minLength: 1,
        maxLength: 30,
      }),
      cuts: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 40 }),
    });

    const before = JSON.stringify(s.state());
    let reads = 0;
    let bad = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ items, cuts }) => {
        const expected = items.filter((f) => f === readFloor).length;
        reads += expected;
        bad += items.length - expected;
        received.length = 0;
        for (const c of chunk(concat(items), cuts)) if (c.length > 0) sock.write(c);
        // Every valid read in the batch is answered (then one more, to flush the order check).
        sock.write(readFloor);
        const deadline = performance.now() + 2000;
        while (received.length < expected + 1 && performance.now() < deadline)
          await new Promise((r) => setTimeout(r, 2));
        expect(received.length).toBe(expected + 1);
        for (const frame of received)
          expect(decodeReply(frame, floors)).toEqual({ type: 'readFloor', floor: startFloor });
        expect(JSON.stringify(s.state())).toBe(before);
      }),
      { seed: SEED, numRuns: Math.min(RUNS, 60) },
    );
    console.log(`simulator over TCP: ${bad} bad frames ignored, ${reads} reads answered`);
    expect(bad).toBeGreaterThan(0);
  });
});
