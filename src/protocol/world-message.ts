/**
 * The body of the one peer message of elevator-mesh: a node's whole view, broadcast at a steady rate
 * and at once on a change. It travels inside the versioned, authenticated envelope
 * (`peer-envelope.ts`), which carries the sender id, incarnation and sequence number.
 *
 * Registers are sent as bare counters; the witnesses of unconfirmed calls go in a side list, so a
 * quiet building costs a few bytes per call.
 */
import { z } from 'zod';
import type { CallRegister, OriginMarks } from '../core/call-register.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);
/** A node id as the mesh allows it (stricter than the envelope's sender id). */
export const peerIdSchema = id;
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const floor = z.number().int().min(0).max(255);

/**
 * One origin's marks on the wire: `[origin, s]` when all three marks are equal (a served instance),
 * `[origin, p, k, s]` otherwise, and `[origin, p, k, s, witnesses]` while instance `p` is pending.
 */
const marksEntry = z.union([
  z.tuple([id, counter]),
  z.tuple([id, counter, counter, counter]),
  z.tuple([id, counter, counter, counter, z.array(id).max(64)]),
]);
/** A call register on the wire: one entry per origin. */
export const wireRegisterSchema = z.array(marksEntry).max(64);
export type WireRegister = z.infer<typeof wireRegisterSchema>;

/** The sender's own elevator, as the assigner and the dashboard need it. */
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
export type ElevatorReport = z.infer<typeof elevatorReportSchema>;

export const worldMessageSchema = z
  .object({
    floors: z.number().int().min(2).max(255),
    /** Hall call registers, `hall[floor] = [up, down]`. */
    hall: z.array(z.tuple([wireRegisterSchema, wireRegisterSchema])).max(255),
    /** Cab call registers of every elevator the sender knows, by elevator id. */
    cab: z.record(id, z.array(wireRegisterSchema).max(255)),
    elevator: elevatorReportSchema,
    /** The peers the sender currently hears (for observers). */
    alive: z.array(id).max(64),
    /**
     * The sender's dispatch strategy (`--assigner`), so that a node started with another one is
     * noticed (they would disagree on assignments) and the monitor can show the nodes' decisions.
     * Optional: older nodes do not send it.
     */
    dispatch: z
      .string()
      .regex(/^[A-Za-z0-9_+-]{1,64}$/)
      .optional(),
  })
  .refine((m) => m.hall.length === m.floors, { message: 'hall must have one entry per floor' })
  .refine((m) => Object.values(m.cab).every((c) => c.length === m.floors), {
    message: 'every cab list must have one entry per floor',
  });

export type WorldMessage = z.infer<typeof worldMessageSchema>;

/** A register in its compact wire form. */
export function registerToWire(register: CallRegister): WireRegister {
  return Object.entries(register).map(([origin, m]) => {
    if (m.seen.length > 0) return [origin, m.p, m.k, m.s, [...m.seen]];
    if (m.p === m.k && m.k === m.s) return [origin, m.s];
    return [origin, m.p, m.k, m.s];
  });
}

/**
 * Whether merging `wire` into `mine` at node `self` would change nothing: every mark it carries is
 * already known, with its witnesses, and `self` already witnesses what is pending. The fast path of
 * the merge, which runs for every call of every message received.
 */
export function wireAddsNothing(mine: CallRegister, wire: WireRegister, self: string): boolean {
  for (const e of wire) {
    const m = mine[e[0]];
    if (m === undefined) return false;
    const [p, k, s] = e.length === 2 ? [e[1], e[1], e[1]] : [e[1], e[2], e[3]];
    if (p > m.p || k > m.k || s > m.s) return false;
    const pending = m.p > m.k && m.p > m.s;
    if (pending && !m.seen.includes(self)) return false;
    if (pending && e.length === 5 && p === m.p && e[4].some((w) => !m.seen.includes(w)))
      return false;
  }
  return true;
}

/** A register from its wire form (already validated by the schema). */
export function registerFromWire(wire: WireRegister): CallRegister {
  const entries = wire.map((e): [string, OriginMarks] => {
    if (e.length === 2) return [e[0], { p: e[1], k: e[1], s: e[1], seen: [] }];
    const [origin, p, k, s] = e;
    const pending = p > k && p > s;
    const seen = pending && e.length === 5 ? [...new Set(e[4])].sort() : [];
    return [origin, { p, k, s, seen }];
  });
  entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return Object.fromEntries(entries);
}
