/**
 * The replicated register of one call (a hall button at a floor, or one elevator's cab button).
 *
 * Every press creates a new *instance* of the call, named by who pressed it (the origin node) and a
 * number that origin never used before (`seq`, above the origin's start epoch, so also above anything
 * an earlier run of that node used). Per origin the register keeps three high-water marks:
 *
 * - `p`: the newest instance pressed,
 * - `k`: the newest instance confirmed (stored where a single failure cannot lose it),
 * - `s`: the newest instance served (a car opened its door there announcing that direction).
 *
 * The call's light is on while some origin has `k > s`. Merging two copies takes the maximum of each
 * mark, so the merge is commutative, associative and idempotent and needs no clock. A service clears
 * exactly the instances its node knew about: a press made elsewhere during a disconnect is a different
 * instance and survives the merge (failure case 8), and an old copy can never bring back a served one.
 *
 * `seen` lists the nodes known to hold an origin's newest unconfirmed instance: a call is confirmed
 * only once every alive peer holds it.
 */

export type CallPhase = 'none' | 'unconfirmed' | 'confirmed';

/** The marks of one origin's instances. */
export interface OriginMarks {
  readonly p: number;
  readonly k: number;
  readonly s: number;
  /** Sorted ids of the nodes holding instance `p`; only kept while `p` is unconfirmed. */
  readonly seen: readonly string[];
}

/** A call's register: the marks of every origin that ever pressed it, by origin id. */
export type CallRegister = Readonly<Record<string, OriginMarks>>;

export const EMPTY_REGISTER: CallRegister = Object.freeze({});

/** Whether the newest instance of these marks is pending: pressed, neither confirmed nor served. */
export function isPending(m: OriginMarks): boolean {
  return m.p > m.k && m.p > m.s;
}

function marks(p: number, k: number, s: number, seen: Iterable<string>): OriginMarks {
  const pending = p > k && p > s;
  return { p, k, s, seen: pending ? [...new Set(seen)].sort() : [] };
}

/** Whether the call's light is on: some confirmed instance is not served. */
export function isLit(register: CallRegister): boolean {
  for (const m of Object.values(register)) if (m.k > m.s) return true;
  return false;
}

export function phaseOf(register: CallRegister): CallPhase {
  if (isLit(register)) return 'confirmed';
  for (const m of Object.values(register)) if (isPending(m)) return 'unconfirmed';
  return 'none';
}

/** Whether two origins' marks are the same, witnesses included. */
export function sameMarks(a: OriginMarks, b: OriginMarks): boolean {
  return (
    a.p === b.p &&
    a.k === b.k &&
    a.s === b.s &&
    a.seen.length === b.seen.length &&
    a.seen.every((x, i) => x === b.seen[i])
  );
}

function joinMarks(a: OriginMarks, b: OriginMarks): OriginMarks {
  const p = Math.max(a.p, b.p);
  const seen = a.p === b.p ? [...a.seen, ...b.seen] : a.p > b.p ? a.seen : b.seen;
  return marks(p, Math.max(a.k, b.k), Math.max(a.s, b.s), seen);
}

function sorted(entries: [string, OriginMarks][]): CallRegister {
  entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return Object.fromEntries(entries);
}

/**
 * The lattice join of two copies: per origin, the maximum of each mark; witnesses of the same
 * pending instance are pooled. Commutative, associative and idempotent.
 */
export function joinRegisters(a: CallRegister, b: CallRegister): CallRegister {
  const out = new Map<string, OriginMarks>(Object.entries(a));
  for (const [origin, m] of Object.entries(b)) {
    const mine = out.get(origin);
    out.set(origin, mine === undefined ? marks(m.p, m.k, m.s, m.seen) : joinMarks(mine, m));
  }
  return sorted([...out.entries()]);
}

/**
 * Merges a peer's copy into ours, as seen by node `self`: the join, with `self` a witness of every
 * pending instance it now holds. Returns `mine` itself when nothing changed.
 */
export function mergeRegister(
  mine: CallRegister,
  theirs: CallRegister,
  self: string,
): CallRegister {
  const joined = joinRegisters(mine, theirs);
  let changed = Object.keys(joined).length !== Object.keys(mine).length;
  const out: [string, OriginMarks][] = [];
  for (const [origin, m] of Object.entries(joined)) {
    const withSelf =
      isPending(m) && !m.seen.includes(self) ? marks(m.p, m.k, m.s, [...m.seen, self]) : m;
    const before = mine[origin];
    if (before === undefined || !sameMarks(before, withSelf)) changed = true;
    out.push([origin, withSelf]);
  }
  return changed ? sorted(out) : mine;
}

/**
 * A button press at node `self`. A live call (lit or pending) absorbs it. Otherwise it creates a new
 * instance numbered above everything this origin used, and above `epoch` (this run's start mark).
 */
export function pressRegister(register: CallRegister, self: string, epoch: number): CallRegister {
  if (phaseOf(register) !== 'none') return register;
  const m = register[self];
  const seq = Math.max(m?.p ?? 0, m?.k ?? 0, m?.s ?? 0, epoch) + 1;
  return sorted([
    ...Object.entries(register).filter(([o]) => o !== self),
    [self, marks(seq, m?.k ?? 0, m?.s ?? 0, [self])],
  ]);
}

/** The origins whose newest instance is pending (pressed, neither confirmed nor served). */
export function pendingOrigins(register: CallRegister): string[] {
  return Object.entries(register)
    .filter(([, m]) => isPending(m))
    .map(([o]) => o);
}

/** Whether every node in `required` holds `origin`'s pending instance. */
export function seenByAll(
  register: CallRegister,
  origin: string,
  required: Iterable<string>,
): boolean {
  const m = register[origin];
  if (m === undefined) return false;
  for (const id of required) if (!m.seen.includes(id)) return false;
  return true;
}

/** Confirms `origin`'s pending instance. */
export function confirmRegister(register: CallRegister, origin: string): CallRegister {
  const m = register[origin];
  if (m === undefined || !isPending(m)) return register;
  return { ...register, [origin]: marks(m.p, m.p, m.s, []) };
}

/** The call was served: every instance this node knows of is cleared. */
export function serveRegister(register: CallRegister): CallRegister {
  const out: [string, OriginMarks][] = Object.entries(register).map(([o, m]) => [
    o,
    marks(m.p, m.k, Math.max(m.s, m.p, m.k), []),
  ]);
  return sorted(out);
}

/** Whether `durable` (what the disk holds) covers `origin`'s pending instance in `register`. */
export function coversInstance(
  durable: CallRegister | undefined,
  register: CallRegister,
  origin: string,
): boolean {
  const want = register[origin]?.p ?? 0;
  return (durable?.[origin]?.p ?? 0) >= want;
}
