import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinRegisters, type CallRegister, type OriginMarks } from '../core/call-register.js';
import { createHmacAuthenticator } from '../io/hmac.js';
import { decodeEnvelope, encodeEnvelope } from './peer-envelope.js';
import { ViewSlicer, sliceBodyBytes, type SliceSource } from './view-slicer.js';
import { MAX_DATAGRAM_BYTES, MAX_MESH_NODES, viewSliceSchema } from './world-message.js';
import { registerFromWire, type ElevatorReport, type WorldMessage } from '../core/view-message.js';

const SEED = Number(process.env.SLICER_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`view-slicer property seed: ${SEED} (SLICER_SEED=${SEED} to replay)`);

const REPORT: ElevatorReport = {
  behaviour: 'moving',
  floor: 7,
  direction: 'down',
  available: true,
  motorFailed: false,
  obstructed: false,
  connected: true,
  park: 3,
};
const AUTH = createHmacAuthenticator('slicer-test-shared-key-0123456789');

function marks(p: number, k: number, s: number, seen: string[] = []): OriginMarks {
  return { p, k, s, seen: p > k && p > s ? [...new Set(seen)].sort() : [] };
}

function sortedRegister(entries: [string, OriginMarks][]): CallRegister {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A building where every call was pressed from every panel: `ids` nodes, `floors` floors. */
function warmView(ids: string[], floors: number, epoch: (id: string) => number): SliceSource {
  const reg = (origins: string[], f: number): CallRegister =>
    sortedRegister(
      origins.map((o, i) => {
        const e = epoch(o) + f;
        // A mix: served, lit (confirmed), and pending with every node as a witness.
        const kind = (i + f) % 3;
        return [
          o,
          kind === 0
            ? marks(e, e, e)
            : kind === 1
              ? marks(e + 1, e + 1, e)
              : marks(e + 2, e + 1, e, ids),
        ];
      }),
    );
  return {
    floors,
    hall: Array.from({ length: floors }, (_, f) => [reg(ids, 2 * f), reg(ids, 2 * f + 1)] as const),
    cab: new Map(ids.map((id) => [id, Array.from({ length: floors }, (_, f) => reg([id], f))])),
    elevator: { ...REPORT, floor: Math.min(7, floors - 1), park: Math.min(3, floors - 1) },
    alive: ids,
    dispatch: 'mesh+park',
    unsynced: false,
    passRequests: 0,
  };
}

/** Encodes the slicer's next body as the node does, checks the bound, and decodes it as a peer. */
function sendOne(slicer: ViewSlicer, src: SliceSource, now: number, from: string): WorldMessage {
  const bytes = encodeEnvelope(
    { from, incarnation: 2 ** 52, seq: 2 ** 52, body: slicer.next(src, now) },
    { auth: AUTH, maxBytes: 100_000 },
  );
  expect(bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
  const decoded = decodeEnvelope(bytes, { bodySchema: viewSliceSchema, auth: AUTH });
  if (!decoded.ok) throw new Error(`undecodable slice: ${decoded.message}`);
  return decoded.envelope.body;
}

/** The join of a list of slices, hall and cab. */
function joined(slices: WorldMessage[], floors: number) {
  const hall = Array.from({ length: 2 * floors }, (): CallRegister => ({}));
  const cab = new Map<string, CallRegister[]>();
  for (const m of slices) {
    m.hall.forEach(([u, d], f) => {
      hall[2 * f] = joinRegisters(hall[2 * f]!, registerFromWire(u));
      hall[2 * f + 1] = joinRegisters(hall[2 * f + 1]!, registerFromWire(d));
    });
    for (const [owner, regs] of Object.entries(m.cab)) {
      const mine = cab.get(owner) ?? Array.from({ length: floors }, (): CallRegister => ({}));
      regs.forEach((r, f) => (mine[f] = joinRegisters(mine[f]!, registerFromWire(r))));
      cab.set(owner, mine);
    }
  }
  return { hall, cab };
}

/** Slices until a pass completes (the first slice starts one); returns them. */
function onePass(slicer: ViewSlicer, src: SliceSource, from: string, start = 0, stepMs = 30) {
  const slices: WorldMessage[] = [];
  for (let i = 0; i < 10_000; i++) {
    const m = sendOne(slicer, src, start + i * stepMs, from);
    slices.push(m);
    if (m.pass?.last === true) return slices;
  }
  throw new Error('no pass completed');
}

/** The same view with nothing pending: only served and lit calls. */
function quiet(src: SliceSource): SliceSource {
  const q = (reg: CallRegister) =>
    sortedRegister(Object.entries(reg).map(([o, m]) => [o, marks(m.k, m.k, m.s)]));
  return {
    ...src,
    hall: src.hall.map(([u, d]) => [q(u), q(d)] as const),
    cab: new Map([...src.cab].map(([o, regs]) => [o, regs.map(q)])),
  };
}

const longId = (i: number) => `node-${String(i).padStart(2, '0')}-${'x'.repeat(24)}`;

describe('view slicer', () => {
  it('every datagram of the biggest building the configuration allows fits 1,200 bytes, and a pass carries the whole view', () => {
    // 16 nodes with 32-character ids, 100 floors (the most `--floors` allows), every call pressed from every panel, counters
    // from epochs far apart (one node restarted long after the others).
    const ids = Array.from({ length: MAX_MESH_NODES }, (_, i) => longId(i));
    expect(ids.every((id) => id.length === 32)).toBe(true);
    const src = warmView(ids, 100, (id) => (id === ids[3] ? 1_900_000_000_000 : 1_796_000_000_000));
    const slicer = new ViewSlicer({
      bodyBytes: sliceBodyBytes(ids[0]!, AUTH),
    });
    const slices = onePass(slicer, src, ids[0]!, 0, 30);
    const got = joined(slices, src.floors);
    src.hall.forEach(([u, d], f) => {
      expect(got.hall[2 * f]).toEqual(u);
      expect(got.hall[2 * f + 1]).toEqual(d);
    });
    for (const [owner, regs] of src.cab) expect(got.cab.get(owner)).toEqual(regs);
    // Every slice says who the sender is and whom it hears.
    for (const m of slices) {
      expect(m.elevator).toEqual(src.elevator);
      expect(m.alive).toEqual(ids);
      expect(m.dispatch).toBe('mesh+park');
    }
  });

  it('the pass gets through even when the pending calls fill every slice (counters far apart)', () => {
    // Found by the property below (seed 1814783743): 16 nodes with long ids, 3 floors, counters from
    // 1 to 10^15 (16 digits each on the wire). The pending entries, sent in every slice, took the
    // whole datagram, and the pass never got its next entry in: no pass completed.
    const ids = Array.from({ length: MAX_MESH_NODES }, (_, i) => longId(i));
    for (const spread of [(i: number) => (i % 2 === 0 ? 1 : 1e15), (i: number) => 1 + i * 7e13]) {
      const src = warmView(ids, 3, (id) => spread(ids.indexOf(id)));
      const from = ids[0]!;
      const slicer = new ViewSlicer({ bodyBytes: sliceBodyBytes(from, AUTH) });
      for (const stepMs of [1, 30, 200]) {
        const got = joined(onePass(slicer, src, from, stepMs * 10_000, stepMs), src.floors);
        src.hall.forEach(([u, d], f) => {
          expect(got.hall[2 * f]).toEqual(u);
          expect(got.hall[2 * f + 1]).toEqual(d);
        });
        for (const [owner, regs] of src.cab) expect(got.cab.get(owner)).toEqual(regs);
      }
    }
  });

  it('random views of random buildings: every datagram fits, and every pass carries the view (property)', () => {
    const viewArb = fc
      .record({
        nodes: fc.integer({ min: 1, max: MAX_MESH_NODES }),
        floors: fc.integer({ min: 2, max: 100 }),
        long: fc.boolean(),
        epochs: fc.array(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.maxSafeNat()), {
          minLength: MAX_MESH_NODES,
          maxLength: MAX_MESH_NODES,
        }),
      })
      .map(({ nodes, floors, long, epochs }) => {
        const ids = Array.from({ length: nodes }, (_, i) => (long ? longId(i) : `e${i + 1}`));
        const epochOf = (id: string) =>
          Math.min(epochs[ids.indexOf(id)] ?? 1, Number.MAX_SAFE_INTEGER - 1000);
        return warmView(ids, floors, epochOf);
      });
    fc.assert(
      fc.property(viewArb, fc.integer({ min: 1, max: 200 }), (src, stepMs) => {
        const from = src.alive[0]!;
        const slicer = new ViewSlicer({
          bodyBytes: sliceBodyBytes(from, AUTH),
        });
        const got = joined(onePass(slicer, src, from, 0, stepMs), src.floors);
        src.hall.forEach(([u, d], f) => {
          expect(got.hall[2 * f]).toEqual(u);
          expect(got.hall[2 * f + 1]).toEqual(d);
        });
        for (const [owner, regs] of src.cab) expect(got.cab.get(owner)).toEqual(regs);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('a change goes out in the very next slice and is repeated for hotMs; pending calls in every slice', () => {
    const ids = Array.from({ length: 16 }, (_, i) => `e${i + 1}`);
    const src = quiet(warmView(ids, 50, () => 1_796_000_000_000));
    const hall = src.hall;
    let view: SliceSource = src;
    const slicer = new ViewSlicer({ bodyBytes: 1000, hotMs: 250 });
    // Let the first (fast) pass and the initial hot period go by.
    onePass(slicer, view, 'e1');
    for (let t = 1000; t < 2000; t += 30) slicer.next(view, t);
    const e = 1_796_100_000_000;
    const has = (m: WorldMessage, f: number, origin: string) =>
      m.hall[f]![1].some((x) => x[0] === origin && x[1] === e);
    // e5 presses hall down at floor 40: a pending instance.
    const pressed = [...hall];
    pressed[40] = [hall[40]![0], { ...hall[40]![1], e5: marks(e, 0, 0, ['e5']) }];
    view = { ...view, hall: pressed };
    for (let t = 2000; t < 3000; t += 30) {
      const m = sendOne(slicer, view, t, 'e1');
      expect(has(m, 40, 'e5')).toBe(true);
    }
    // Confirmed: no longer pending, so sent for hotMs, then only in its turn of the pass.
    const confirmed = [...pressed];
    confirmed[40] = [hall[40]![0], { ...hall[40]![1], e5: marks(e, e, 0) }];
    view = { ...view, hall: confirmed };
    const carried: boolean[] = [];
    for (let t = 3000; t < 3600; t += 30)
      carried.push(has(sendOne(slicer, view, t, 'e1'), 40, 'e5'));
    expect(carried.slice(0, 8).every(Boolean)).toBe(true); // 3000..3210 ms: hot
    expect(carried.slice(9).filter(Boolean).length).toBeLessThanOrEqual(1); // after: its turn only
  });

  it('paces a pass over about passMs, and a pass request brings a fast pass that fills the slices', () => {
    const ids = Array.from({ length: 9 }, (_, i) => `e${i + 1}`);
    const src = quiet(warmView(ids, 20, () => 1_796_000_000_000));
    const slicer = new ViewSlicer({ bodyBytes: 1000, passMs: 1000 });
    onePass(slicer, src, 'e1'); // the first pass of a new node is fast
    const paced = onePass(slicer, src, 'e1', 10_000, 30);
    expect(paced.length * 30).toBeGreaterThan(800);
    expect(paced.length * 30).toBeLessThan(1300);
    // A peer joins: the next pass starts at once and takes as few slices as the bytes allow.
    const asked = { ...src, passRequests: 1 };
    const fast = onePass(slicer, asked, 'e1', 20_000, 30);
    expect(fast[0]!.pass?.index).toBe(0);
    expect(fast.length).toBeLessThan(paced.length / 3);
  });

  it('an unsynced node says so in every slice', () => {
    const src = { ...warmView(['e1', 'e2'], 4, () => 5), unsynced: true };
    const slicer = new ViewSlicer({ bodyBytes: 1000 });
    expect(sendOne(slicer, src, 0, 'e1').sync).toBe(true);
    expect(sendOne(slicer, { ...src, unsynced: false }, 30, 'e1').sync).toBeUndefined();
  });
});
