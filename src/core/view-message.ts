/**
 * A node's view as peers exchange it and as the controller merges it: the core's own types, and the
 * conversions between a {@link CallRegister} and its plain form (the form that is persisted and
 * that a decoded slice carries). The wire encoding is the protocol's business
 * (`src/protocol/world-message.ts` decodes datagrams into a {@link WorldMessage} and checks that its
 * schemas produce exactly these types); the core imports nothing from it.
 */
import { isPending, type CallRegister, type OriginMarks } from './call-register.js';
import type { Direction } from './types.js';

/**
 * One origin's marks in the plain form: `[origin, s]` when all three marks are equal (a served
 * instance), `[origin, p, k, s]` otherwise, and `[origin, p, k, s, witnesses]` while instance `p`
 * is pending.
 */
export type RegisterEntry =
  | [origin: string, s: number]
  | [origin: string, p: number, k: number, s: number]
  | [origin: string, p: number, k: number, s: number, witnesses: string[]];

/** A call register in its plain (decoded and persisted) form: one entry per origin. */
export type WireRegister = RegisterEntry[];

/** The sender's own elevator, as the assigner and the dashboard need it. */
export interface ElevatorReport {
  behaviour: 'init' | 'idle' | 'moving' | 'doorOpen';
  floor: number | null;
  direction: Direction;
  available: boolean;
  motorFailed: boolean;
  obstructed: boolean;
  /** Whether the elevator server answers the node. */
  connected: boolean;
  /** The home floor where the car waits while it has nothing to do (parking), if any. */
  park?: number | undefined;
}

/** Where a slice stands in its sender's round-robin pass over the whole view. */
export interface SlicePass {
  /** The pass, counted by the sender. */
  id: number;
  /** This slice's index within the pass, from 0. */
  index: number;
  /** Whether this slice completes the pass. */
  last: boolean;
}

/**
 * A peer's view, or a slice of it, in the form the controller and the dashboard merge: every floor
 * is present; a register holds only the origins the slice carries (often none).
 */
export interface WorldMessage {
  floors: number;
  /** Hall call registers, `hall[floor] = [up, down]`. */
  hall: [WireRegister, WireRegister][];
  /** Cab call registers of elevators the sender knows, by elevator id. */
  cab: Record<string, WireRegister[]>;
  elevator: ElevatorReport;
  /** The peers the sender currently hears, itself included. */
  alive: string[];
  /**
   * The sender's dispatch strategy (`--assigner`), so that a node started with another one is
   * noticed (they would disagree on assignments) and the monitor can show the nodes' decisions.
   */
  dispatch?: string | undefined;
  /** Where this slice stands in the sender's pass over its view (absent: a whole view). */
  pass?: SlicePass | undefined;
  /** The sender does not know the calls yet and asks its peers for a whole pass. */
  sync?: boolean | undefined;
}

// --- registers ---------------------------------------------------------------------------------

/** A register in its decoded and persisted form. */
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
    const pending = isPending(m);
    if (pending && !m.seen.includes(self)) return false;
    if (pending && e.length === 5 && p === m.p && e[4].some((w) => !m.seen.includes(w)))
      return false;
  }
  return true;
}

/** A register from its decoded form (already validated). */
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
