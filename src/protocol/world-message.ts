/**
 * The body of the one peer message of elevator-mesh: a *slice* of a node's view, broadcast at a
 * steady rate and at once on a change. It travels inside the versioned, authenticated envelope
 * (`peer-envelope.ts`), which carries the sender id, incarnation and sequence number.
 *
 * Protocol version 2. The merge is per origin of each call register (see `core/call-register.ts`),
 * so any subset of a view's (register, origin) entries is a valid partial view: a slice. Every
 * datagram fits in {@link MAX_DATAGRAM_BYTES} of UDP payload, whatever the building, so it is never
 * IP-fragmented; `view-slicer.ts` chooses what goes in each one. Every slice carries the sender's
 * elevator report and the peers it hears, so liveness and the assignment's inputs never wait.
 *
 * Wire form (compact JSON, keys in this order, optional ones only when present):
 *
 *     {"f":floors,"n":[ids],"e":[behaviour,floor,direction,flags,park],"a":aliveBits,
 *      "d":"dispatch","z":base,"h":[hall entries],"c":[cab entries],"x":[pass,index,last],"y":1}
 *
 * - `n` is the slice's id table; origins, witnesses and the alive set refer to it by index, and the
 *   alive set and a pending instance's witnesses are bit sets over it.
 * - `e`: behaviour 0 init, 1 idle, 2 moving, 3 doorOpen; floor -1 for none; direction 0 stop,
 *   1 up, 2 down; flags 1 available, 2 motorFailed, 4 obstructed, 8 connected; park -1 for none.
 * - Counters are written relative to the slice's base `z`: 0 stays 0, any other counter `c` is
 *   written `c - z + 1` (the base is the least non-zero counter of the sender's view, so every
 *   written counter is small and non-negative).
 * - A hall entry is `[2 * floor + (down ? 1 : 0), origin, s]` when its three marks are equal,
 *   `[r, origin, p, k, s]` otherwise, `[r, origin, p, k, s, witnesses]` while `p` is pending.
 * - A cab entry is `[owner, floor, ...]` with the same marks: a cab call's only origin is its own
 *   elevator.
 * - `x` numbers the slice within the sender's round-robin pass over its whole view (`last` = 1 on
 *   the slice that completes it), so a receiver knows when it has heard a whole view.
 * - `y` = 1: the sender does not know the calls yet (it started with no disk) and asks for a pass.
 *
 * Decoding (`viewSliceSchema`) checks every field by hand (no generic schema walk: it runs for
 * every datagram heard) and produces the {@link WorldMessage} form the controller merges.
 */
import { z } from 'zod';
import { isPending, type CallRegister, type OriginMarks } from '../core/call-register.js';
import { MAX_MESH_NODES } from '../core/mesh-bounds.js';
import {
  registerFromWire,
  type ElevatorReport,
  type SlicePass,
  type WireRegister,
  type WorldMessage,
} from '../core/view-message.js';

export { MAX_MESH_NODES };
/** Most UDP payload bytes of one peer datagram: it fits one frame on any LAN (never fragmented). */
export const MAX_DATAGRAM_BYTES = 1200;
/** Most ids in one slice's id table: the alive set, and room for the origins of the entries. */
export const MAX_SLICE_IDS = 30;
/** Most floors a building may have. */
export const MAX_FLOORS = 255;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const DISPATCH_PATTERN = /^[A-Za-z0-9_+-]{1,64}$/;
const id = z.string().regex(ID_PATTERN);
/** A node id as the mesh allows it (stricter than the envelope's sender id). */
export const peerIdSchema = id;
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const floor = z.number().int().min(0).max(MAX_FLOORS);

/**
 * One origin's marks in the decoded (and persisted) form: `[origin, s]` when all three marks are
 * equal (a served instance), `[origin, p, k, s]` otherwise, and `[origin, p, k, s, witnesses]`
 * while instance `p` is pending.
 */
const marksEntry = z.union([
  z.tuple([id, counter]),
  z.tuple([id, counter, counter, counter]),
  z.tuple([id, counter, counter, counter, z.array(id).max(64)]),
]);
/** A call register in its decoded and persisted form (core's {@link WireRegister}). */
export const wireRegisterSchema = z.array(marksEntry).max(64);

/** The sender's own elevator (core's {@link ElevatorReport}). */
export const elevatorReportSchema = z.object({
  behaviour: z.enum(['init', 'idle', 'moving', 'doorOpen']),
  floor: floor.nullable(),
  direction: z.enum(['up', 'down', 'stop']),
  available: z.boolean(),
  motorFailed: z.boolean(),
  obstructed: z.boolean(),
  /** Whether the elevator server answers the node. */
  connected: z.boolean(),
  /** The home floor where the car waits while it has nothing to do (parking), if any. */
  park: floor.optional(),
});
/** A decoded slice (core's {@link WorldMessage}), for tools and tests that check one as a whole. */
export const worldMessageSchema = z
  .object({
    floors: z.number().int().min(2).max(MAX_FLOORS),
    /** Hall call registers, `hall[floor] = [up, down]`. */
    hall: z.array(z.tuple([wireRegisterSchema, wireRegisterSchema])).max(MAX_FLOORS),
    /** Cab call registers of elevators the sender knows, by elevator id. */
    cab: z.record(id, z.array(wireRegisterSchema).max(MAX_FLOORS)),
    elevator: elevatorReportSchema,
    /** The peers the sender currently hears, itself included. */
    alive: z.array(id).max(64),
    /**
     * The sender's dispatch strategy (`--assigner`), so that a node started with another one is
     * noticed (they would disagree on assignments) and the monitor can show the nodes' decisions.
     */
    dispatch: z.string().regex(DISPATCH_PATTERN).optional(),
    /** Where this slice stands in the sender's pass over its view (absent: a whole view). */
    pass: z.object({ id: counter, index: counter, last: z.boolean() }).optional(),
    /** The sender does not know the calls yet and asks its peers for a whole pass. */
    sync: z.boolean().optional(),
  })
  .refine((m) => m.hall.length === m.floors, { message: 'hall must have one entry per floor' })
  .refine((m) => Object.values(m.cab).every((c) => c.length === m.floors), {
    message: 'every cab list must have one entry per floor',
  });

/** Exactly `A` and `B` are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The schemas decode to the core's own types, no more and no less (a compile error otherwise).
const schemasMatchCore: [
  Same<z.infer<typeof wireRegisterSchema>, WireRegister>,
  Same<z.infer<typeof elevatorReportSchema>, ElevatorReport>,
  Same<z.infer<typeof worldMessageSchema>, WorldMessage>,
] = [true, true, true];
void schemasMatchCore;

// --- the wire form -----------------------------------------------------------------------------

/** A hall entry on the wire: `[r, origin, s]`, `[r, origin, p, k, s]` or with witnesses. */
export type WireEntry = number[];

/** A slice on the wire (see the module comment). */
export interface SliceWire {
  f: number;
  n: string[];
  e: [number, number, number, number, number];
  a: number;
  d?: string;
  z: number;
  h: WireEntry[];
  c: WireEntry[];
  x?: [number, number, number];
  y?: 1;
}

const BEHAVIOURS = ['init', 'idle', 'moving', 'doorOpen'] as const;
const DIRECTIONS = ['stop', 'up', 'down'] as const;

/** The report in its wire form. */
export function reportToWire(r: ElevatorReport): SliceWire['e'] {
  const flags =
    (r.available ? 1 : 0) |
    (r.motorFailed ? 2 : 0) |
    (r.obstructed ? 4 : 0) |
    (r.connected ? 8 : 0);
  return [
    BEHAVIOURS.indexOf(r.behaviour),
    r.floor ?? -1,
    DIRECTIONS.indexOf(r.direction),
    flags,
    r.park ?? -1,
  ];
}

/** A counter relative to `base` (0 stays 0). */
export function counterToWire(c: number, base: number): number {
  return c === 0 ? 0 : c - base + 1;
}

/**
 * The marks part of an entry: `[s]`, `[p, k, s]` or `[p, k, s, witnesses]`, where `witnessBits`
 * is the bit set of the witnesses over the id table (only used while `p` is pending).
 */
export function marksToWire(m: OriginMarks, base: number, witnessBits: number): number[] {
  const s = counterToWire(m.s, base);
  if (m.p === m.k && m.k === m.s) return [s];
  const p = counterToWire(m.p, base);
  const k = counterToWire(m.k, base);
  return isPending(m) ? [p, k, s, witnessBits] : [p, k, s];
}

/** Bytes of the JSON text of a non-negative integer (or -1). */
export function numberBytes(n: number): number {
  return n < 0 ? 1 + numberBytes(-n) : n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

/** Bytes of the JSON text of an array of integers. */
export function entryBytes(entry: readonly number[]): number {
  let bytes = 1 + entry.length; // brackets and commas
  for (const n of entry) bytes += numberBytes(n);
  return bytes;
}

/** The least non-zero counter of a set of registers (1 if there is none). */
export function counterBase(registers: Iterable<CallRegister>): number {
  let base = Number.MAX_SAFE_INTEGER;
  for (const reg of registers)
    for (const origin in reg) {
      const m = reg[origin]!;
      if (m.s > 0 && m.s < base) base = m.s;
      if (m.k > 0 && m.k < base) base = m.k;
      if (m.p > 0 && m.p < base) base = m.p;
    }
  return base === Number.MAX_SAFE_INTEGER ? 1 : base;
}

/**
 * A whole message as one slice (tests, tools and small views; the nodes slice theirs with
 * `view-slicer.ts`). Witnesses outside the id table bound are left out, which only delays a
 * confirmation.
 */
export function worldToWire(m: WorldMessage): SliceWire {
  const table: string[] = [];
  const index = (who: string): number => {
    let i = table.indexOf(who);
    if (i < 0 && table.length < MAX_SLICE_IDS) i = table.push(who) - 1;
    return i;
  };
  let alive = 0;
  for (const who of m.alive) {
    const i = index(who);
    if (i >= 0) alive |= 1 << i;
  }
  const registers: CallRegister[] = [];
  for (const [u, d] of m.hall) registers.push(registerFromWire(u), registerFromWire(d));
  const cabs = Object.entries(m.cab).map(
    ([owner, regs]) => [owner, regs.map(registerFromWire)] as const,
  );
  for (const [, regs] of cabs) registers.push(...regs);
  const base = counterBase(registers);
  const bits = (seen: readonly string[]): number => {
    let b = 0;
    for (const w of seen) {
      const i = index(w);
      if (i >= 0) b |= 1 << i;
    }
    return b;
  };
  const h: WireEntry[] = [];
  for (let r = 0; r < 2 * m.floors; r++) {
    const reg = registers[r]!;
    for (const [origin, marks] of Object.entries(reg)) {
      const o = index(origin);
      if (o >= 0) h.push([r, o, ...marksToWire(marks, base, bits(marks.seen))]);
    }
  }
  const c: WireEntry[] = [];
  for (const [owner, regs] of cabs) {
    const o = index(owner);
    if (o < 0) continue;
    regs.forEach((reg, f) => {
      const marks = Object.hasOwn(reg, owner) ? reg[owner] : undefined;
      if (marks !== undefined) c.push([o, f, ...marksToWire(marks, base, bits(marks.seen))]);
    });
  }
  return {
    f: m.floors,
    n: table,
    e: reportToWire(m.elevator),
    a: alive,
    ...(m.dispatch !== undefined && { d: m.dispatch }),
    z: base,
    h,
    c,
    ...(m.pass !== undefined && { x: [m.pass.id, m.pass.index, m.pass.last ? 1 : 0] }),
    ...(m.sync === true && { y: 1 as const }),
  };
}

// --- decoding ----------------------------------------------------------------------------------

class SliceError extends Error {}

function fail(message: string): never {
  throw new SliceError(message);
}

function int(v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`${what}: expected an integer from ${min} to ${max}`);
  return v;
}

function idsOfBits(bits: number, table: readonly string[], what: string): string[] {
  if (bits >= 2 ** table.length) fail(`${what}: bit outside the id table`);
  const out: string[] = [];
  for (let i = 0; i < table.length; i++) if ((bits >>> i) & 1) out.push(table[i]!);
  return out;
}

/** A counter from its wire form, relative to `base`. */
function counterFromWire(v: unknown, base: number): number {
  const w = int(v, 0, Number.MAX_SAFE_INTEGER, 'counter');
  if (w === 0) return 0;
  const c = w + base - 1;
  if (!Number.isSafeInteger(c)) fail('counter: out of range');
  return c;
}

/** Decodes the marks of an entry (from `at`), relative to `base`, as a register entry of `origin`. */
function entryFromWire(
  origin: string,
  e: readonly unknown[],
  at: number,
  base: number,
  table: readonly string[],
): WireRegister[number] {
  const n = e.length - at;
  if (n === 1) return [origin, counterFromWire(e[at], base)];
  if (n !== 3 && n !== 4) fail('entry: wrong length');
  const p = counterFromWire(e[at], base);
  const k = counterFromWire(e[at + 1], base);
  const s = counterFromWire(e[at + 2], base);
  const pending = p > k && p > s;
  if (n === 3) return [origin, p, k, s];
  if (!pending) fail('entry: witnesses of an instance that is not pending');
  const bits = int(e[at + 3], 0, 2 ** MAX_SLICE_IDS - 1, 'witnesses');
  return [origin, p, k, s, idsOfBits(bits, table, 'witnesses')];
}

/** The registers of a floor that a slice says nothing about (shared, never written). */
const NO_REGISTER = Object.freeze([]) as unknown as WireRegister;
const NO_PAIR = Object.freeze([NO_REGISTER, NO_REGISTER]) as unknown as [
  WireRegister,
  WireRegister,
];

/** Parses an untrusted wire slice into its decoded form; throws {@link SliceError}. */
function parseSlice(raw: unknown): WorldMessage {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not an object');
  const w = raw as Record<string, unknown>;
  const floors = int(w['f'], 2, MAX_FLOORS, 'f');
  const n = w['n'];
  if (!Array.isArray(n) || n.length > MAX_SLICE_IDS) fail('n: expected an id table');
  const table: string[] = [];
  for (const x of n) {
    // `__proto__` would be a prototype, not a key, of the plain objects the decoded form uses.
    if (typeof x !== 'string' || !ID_PATTERN.test(x) || x === '__proto__') fail('n: bad id');
    if (table.includes(x)) fail('n: duplicate id');
    table.push(x);
  }
  const e = w['e'];
  if (!Array.isArray(e) || e.length !== 5) fail('e: expected the elevator report');
  const behaviour = BEHAVIOURS[int(e[0], 0, 3, 'e.behaviour')]!;
  const floorAt = int(e[1], -1, floors - 1, 'e.floor');
  const direction = DIRECTIONS[int(e[2], 0, 2, 'e.direction')]!;
  const flags = int(e[3], 0, 15, 'e.flags');
  const park = int(e[4], -1, floors - 1, 'e.park');
  const elevator: ElevatorReport = {
    behaviour,
    floor: floorAt < 0 ? null : floorAt,
    direction,
    available: (flags & 1) !== 0,
    motorFailed: (flags & 2) !== 0,
    obstructed: (flags & 4) !== 0,
    connected: (flags & 8) !== 0,
    ...(park >= 0 && { park }),
  };
  const alive = idsOfBits(int(w['a'], 0, 2 ** MAX_SLICE_IDS - 1, 'a'), table, 'a');
  const dispatch = w['d'];
  if (dispatch !== undefined && (typeof dispatch !== 'string' || !DISPATCH_PATTERN.test(dispatch)))
    fail('d: bad dispatch strategy');
  const base = int(w['z'], 1, Number.MAX_SAFE_INTEGER, 'z');
  const hall: [WireRegister, WireRegister][] = new Array<[WireRegister, WireRegister]>(floors).fill(
    NO_PAIR,
  );
  const h = w['h'];
  if (!Array.isArray(h)) fail('h: expected hall entries');
  for (const entry of h as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 3) fail('h: bad entry');
    const r = int(entry[0], 0, 2 * floors - 1, 'h.register');
    const origin = table[int(entry[1], 0, table.length - 1, 'h.origin')]!;
    let pair = hall[r >> 1]!;
    if (pair === NO_PAIR) hall[r >> 1] = pair = [[], []];
    const reg = pair[r & 1]!;
    if (reg.length >= MAX_MESH_NODES * 4) fail('h: too many origins');
    reg.push(entryFromWire(origin, entry, 2, base, table));
  }
  const cab: Record<string, WireRegister[]> = {};
  const c = w['c'];
  if (!Array.isArray(c)) fail('c: expected cab entries');
  for (const entry of c as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 3) fail('c: bad entry');
    const owner = table[int(entry[0], 0, table.length - 1, 'c.owner')]!;
    const f = int(entry[1], 0, floors - 1, 'c.floor');
    const regs = (cab[owner] ??= new Array<WireRegister>(floors).fill(NO_REGISTER));
    if (regs[f] !== NO_REGISTER) fail('c: a cab call twice');
    regs[f] = [entryFromWire(owner, entry, 2, base, table)];
  }
  const x = w['x'];
  let pass: SlicePass | undefined;
  if (x !== undefined) {
    if (!Array.isArray(x) || x.length !== 3) fail('x: bad pass');
    pass = {
      id: int(x[0], 0, Number.MAX_SAFE_INTEGER, 'x.pass'),
      index: int(x[1], 0, Number.MAX_SAFE_INTEGER, 'x.index'),
      last: int(x[2], 0, 1, 'x.last') === 1,
    };
  }
  const y = w['y'];
  if (y !== undefined && y !== 1) fail('y: expected 1');
  return {
    floors,
    hall,
    cab,
    elevator,
    alive,
    ...(dispatch !== undefined && { dispatch: dispatch }),
    ...(pass !== undefined && { pass }),
    ...(y === 1 && { sync: true }),
  };
}

/**
 * The schema of a slice's wire form, for the envelope decoder: it checks every field and outputs the
 * decoded {@link WorldMessage}.
 */
export const viewSliceSchema = z.unknown().transform((raw, ctx): WorldMessage => {
  try {
    return parseSlice(raw);
  } catch (err) {
    if (!(err instanceof SliceError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
    return z.NEVER;
  }
});
