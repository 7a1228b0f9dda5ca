/**
 * The body of the one peer message of elevator-mesh: a node's whole view, broadcast at a steady rate
 * and at once on a change. It travels inside the versioned, authenticated envelope
 * (`peer-envelope.ts`), which carries the sender id, incarnation and sequence number.
 *
 * Registers are sent as bare counters; the witnesses of unconfirmed calls go in a side list, so a
 * quiet building costs a few bytes per call.
 */
import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const floor = z.number().int().min(0).max(255);

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
});
export type ElevatorReport = z.infer<typeof elevatorReportSchema>;

export const worldMessageSchema = z
  .object({
    floors: z.number().int().min(2).max(255),
    /** Hall counters, `hall[floor] = [up, down]`. */
    hall: z.array(z.tuple([counter, counter])).max(255),
    /** Cab counters of every elevator the sender knows, by elevator id. */
    cab: z.record(id, z.array(counter).max(255)),
    /** Witnesses of unconfirmed calls: `[kind, floor, ids]`, kind 0 hall up, 1 hall down, or an elevator id for a cab call. */
    seen: z.array(z.tuple([z.union([z.literal(0), z.literal(1), id]), floor, z.array(id).max(64)])),
    elevator: elevatorReportSchema,
    /** The peers the sender currently hears (for observers). */
    alive: z.array(id).max(64),
  })
  .refine((m) => m.hall.length === m.floors, { message: 'hall must have one entry per floor' })
  .refine((m) => Object.values(m.cab).every((c) => c.length === m.floors), {
    message: 'every cab list must have one entry per floor',
  });

export type WorldMessage = z.infer<typeof worldMessageSchema>;
