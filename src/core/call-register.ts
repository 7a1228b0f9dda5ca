/**
 * The replicated register of one call (a hall button at a floor, or one elevator's cab button).
 *
 * A call lives through the cycle none -> unconfirmed -> confirmed -> none (served) -> ... and its
 * register is a single counter `c` that only grows: the phase is `c % 3` (0 none, 1 unconfirmed,
 * 2 confirmed). Merging two registers takes the larger counter, so the merge is commutative,
 * associative and idempotent, and no clock is needed: a served call (a larger counter) can never be
 * brought back by an older copy, and a new press after it (a larger counter still) is never dropped.
 *
 * `seen` is the set of nodes known to hold this very counter value. It is what allows a call to be
 * confirmed (its light turned on) only once every alive peer holds it.
 */

export type CallPhase = 'none' | 'unconfirmed' | 'confirmed';

export interface CallRegister {
  /** Ever-growing counter; `c % 3` is the phase. */
  readonly c: number;
  /** Sorted ids of the nodes that hold counter `c` (kept only while unconfirmed). */
  readonly seen: readonly string[];
}

export const EMPTY_REGISTER: CallRegister = { c: 0, seen: [] };

export function phaseOf(register: CallRegister): CallPhase {
  const p = register.c % 3;
  return p === 0 ? 'none' : p === 1 ? 'unconfirmed' : 'confirmed';
}

function withSeen(c: number, seen: Iterable<string>): CallRegister {
  // Only an unconfirmed call needs its witnesses; dropping them elsewhere keeps messages small.
  if (c % 3 !== 1) return { c, seen: [] };
  return { c, seen: [...new Set(seen)].sort() };
}

/**
 * The lattice join of two copies of a register: the larger counter wins; equal counters pool their
 * witnesses. Commutative, associative and idempotent, which is what makes the views converge
 * whatever the order, loss or duplication of messages.
 */
export function joinRegisters(a: CallRegister, b: CallRegister): CallRegister {
  if (a.c !== b.c) return a.c > b.c ? a : b;
  if (a.c % 3 !== 1) return a;
  return withSeen(a.c, [...a.seen, ...b.seen]);
}

/**
 * Merges a peer's copy into ours, as seen by node `self`: the join, with `self` among the witnesses
 * of whatever it now holds. Returns `mine` itself when nothing changed.
 */
export function mergeRegister(
  mine: CallRegister,
  theirs: CallRegister,
  self: string,
): CallRegister {
  if (theirs.c < mine.c) return mine;
  const joined = joinRegisters(mine, theirs);
  const merged =
    joined.seen.includes(self) || joined.c % 3 !== 1
      ? joined
      : withSeen(joined.c, [...joined.seen, self]);
  return merged.c === mine.c && sameSeen(merged.seen, mine.seen) ? mine : merged;
}

function sameSeen(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A button press on a call that is not live: it becomes unconfirmed, witnessed by `self`. */
export function pressRegister(register: CallRegister, self: string): CallRegister {
  if (register.c % 3 !== 0) return register;
  return withSeen(register.c + 1, [self]);
}

/** Whether every node in `required` holds this unconfirmed counter. */
export function seenByAll(register: CallRegister, required: Iterable<string>): boolean {
  for (const id of required) if (!register.seen.includes(id)) return false;
  return true;
}

/** Moves an unconfirmed register to confirmed. */
export function confirmRegister(register: CallRegister): CallRegister {
  if (register.c % 3 !== 1) return register;
  return { c: register.c + 1, seen: [] };
}

/** Moves a confirmed register to none: the call was served. */
export function serveRegister(register: CallRegister): CallRegister {
  if (register.c % 3 !== 2) return register;
  return { c: register.c + 1, seen: [] };
}
