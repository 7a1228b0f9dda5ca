/**
 * Chooses what each datagram of a node carries, so that every datagram fits in one frame however
 * big the building and however long it has run (pure: no `node:*`, time comes in every call).
 *
 * The merge is per origin of each call register, so any subset of the view's (register, origin)
 * entries is a valid partial view. Each slice carries, within its byte budget:
 *
 * 0. the pass's next entry (2. below), so every slice moves the pass on and a pass always
 *    completes, however much the hot entries take;
 * 1. the *hot* entries: every pending instance (confirmation waits for its witnesses), then every
 *    entry that changed in the last `hotMs` (a change goes out at once and is repeated against
 *    loss), newest first, in rotation when there are more than fit;
 * 2. the next entries of a round-robin *pass* over the whole view, at a pace that completes a pass
 *    about every `passMs` (a node that missed a change, joined or came back catches up within a
 *    pass). After a peer joins or asks for it, a *fast* pass fills every slice until it completes.
 *
 * Every slice also carries the sender's elevator report and the peers it hears (in the header),
 * so liveness and the assignment's inputs never wait for a pass.
 */
import {
  isPending,
  sameMarks,
  type CallRegister,
  type OriginMarks,
} from '../core/call-register.js';
import type { ViewSnapshot } from '../core/controller.js';
import { envelopeOverheadBytes, type MessageAuthenticator } from './peer-envelope.js';
import {
  MAX_DATAGRAM_BYTES,
  MAX_SLICE_IDS,
  counterBase,
  entryBytes,
  marksToWire,
  numberBytes,
  reportToWire,
  type SliceWire,
  type WireEntry,
} from './world-message.js';

/** What the slicer reads of a node's view: the controller's snapshot of it. */
export type SliceSource = ViewSnapshot;

/**
 * The body bytes a slice of sender `from` may take: the datagram bound minus the envelope's
 * overhead (with the MAC when `auth` is set).
 */
export function sliceBodyBytes(from: string, auth?: MessageAuthenticator): number {
  return MAX_DATAGRAM_BYTES - envelopeOverheadBytes(from, auth);
}

/** Options of a {@link ViewSlicer}. */
export interface ViewSlicerOptions {
  /** Bytes of JSON body a slice may take (the datagram bound minus the envelope's overhead). */
  bodyBytes: number;
  /** A pass over the whole view takes about this long. Default 1000 ms. */
  passMs?: number;
  /** A changed entry is repeated in every slice for this long. Default 250 ms. */
  hotMs?: number;
}

/** One register of the view: a hall call (`r` = 2 * floor + down) or a cab call. */
interface Slot {
  readonly kind: 'h' | 'c';
  /** Hall: the register number; cab: the floor. */
  readonly at: number;
  /** Cab: the owner elevator. */
  readonly owner: string;
  /** Position in the pass order. */
  index: number;
  last: CallRegister;
  /** Of `last`, kept until it changes: its origins, the pending ones, its least counter. */
  origins: string[];
  pending: string[];
  least: number;
  /** Origins changed recently, with the time they stop being hot. */
  readonly hot: Map<string, number>;
}

const EMPTY: CallRegister = Object.freeze({});

/** Whether `register` holds `origin` with exactly the marks `b`. */
function holdsMarks(register: CallRegister, origin: string, b: OriginMarks): boolean {
  return Object.hasOwn(register, origin) && sameMarks(register[origin]!, b);
}

/** One node's slicer: call {@link next} for the body of every datagram it sends. */
export class ViewSlicer {
  readonly #bodyBytes: number;
  readonly #passMs: number;
  readonly #hotMs: number;
  #slots: Slot[] = [];
  #slotKey = '';
  #passId = 0;
  #passIndex = 0;
  /** Round-robin position: slot index and origin index within it. */
  #cursorSlot = 0;
  #cursorOrigin = 0;
  #fast = true;
  #passRequests = 0;
  #hotRotation = 0;
  #lastAt: number | null = null;
  /** Slots with hot or pending entries: the only ones the hot scan visits. */
  readonly #active = new Set<Slot>();

  constructor(options: ViewSlicerOptions) {
    this.#bodyBytes = options.bodyBytes;
    this.#passMs = options.passMs ?? 1000;
    this.#hotMs = options.hotMs ?? 250;
  }

  /** The body of the next datagram, at time `now`. */
  next(src: SliceSource, now: number): SliceWire {
    this.#syncSlots(src);
    if (src.passRequests !== this.#passRequests) {
      this.#passRequests = src.passRequests;
      if (!this.#fast) this.#startPass(true);
    }
    // Scan the view: what changed (registers are immutable: a changed one is a new object), how
    // big it is, the counter base. Only changed registers are looked into.
    let total = 0;
    let base = Number.MAX_SAFE_INTEGER;
    for (const slot of this.#slots) {
      const reg = this.#current(src, slot);
      if (reg !== slot.last) this.#changed(slot, reg, now);
      total += slot.origins.length;
      if (slot.least < base) base = slot.least;
    }
    if (base === Number.MAX_SAFE_INTEGER) base = 1;
    const hot: { slot: Slot; origin: string; rank: number }[] = [];
    for (const slot of this.#active) {
      for (const origin of slot.pending) hot.push({ slot, origin, rank: Number.MAX_SAFE_INTEGER });
      for (const [origin, until] of slot.hot) {
        if (until <= now || !Object.hasOwn(slot.last, origin)) slot.hot.delete(origin);
        else if (!slot.pending.includes(origin)) hot.push({ slot, origin, rank: until });
      }
      if (slot.hot.size === 0 && slot.pending.length === 0) this.#active.delete(slot);
    }

    const table: string[] = [];
    const tableIndex = new Map<string, number>();
    const addId = (who: string): number => {
      const i = table.push(who) - 1;
      tableIndex.set(who, i);
      return i;
    };
    let alive = 0;
    for (const who of src.alive) {
      if (table.length >= MAX_SLICE_IDS) break;
      alive |= 1 << addId(who);
    }
    const e = reportToWire(src.elevator);
    // The fixed part, with room for the largest pass marker this slice can carry.
    let used =
      `{"f":${src.floors},"n":${JSON.stringify(table)},"e":${JSON.stringify(e)},"a":${alive},"z":${base},"h":[],"c":[]}`
        .length +
      (src.dispatch !== undefined ? 7 + src.dispatch.length : 0) +
      (10 + numberBytes(this.#passId) + numberBytes(this.#passIndex)) +
      (src.unsynced ? 6 : 0);
    const h: WireEntry[] = [];
    const c: WireEntry[] = [];
    const taken = new Set<string>();

    const tryAdd = (slot: Slot, origin: string, marks: OriginMarks): boolean => {
      let extra = 0;
      const newIds: string[] = [];
      const indexOf = (who: string): number | undefined => {
        const known = tableIndex.get(who);
        if (known !== undefined) return known;
        const fresh = newIds.indexOf(who);
        if (fresh >= 0) return table.length + fresh;
        if (table.length + newIds.length >= MAX_SLICE_IDS) return undefined;
        const cost = JSON.stringify(who).length + 1;
        if (used + extra + cost > this.#bodyBytes) return undefined;
        extra += cost;
        newIds.push(who);
        return table.length + newIds.length - 1;
      };
      const o = indexOf(slot.kind === 'h' ? origin : slot.owner);
      if (o === undefined) return false;
      let bits = 0;
      // Witnesses that do not fit are left out: that only delays a confirmation.
      if (isPending(marks))
        for (const w of marks.seen) {
          const i = indexOf(w);
          if (i !== undefined) bits |= 1 << i;
        }
      const marksPart = marksToWire(marks, base, bits);
      const entry = slot.kind === 'h' ? [slot.at, o, ...marksPart] : [o, slot.at, ...marksPart];
      const cost = entryBytes(entry) + 1;
      if (used + extra + cost > this.#bodyBytes) return false;
      for (const who of newIds) addId(who);
      used += extra + cost;
      (slot.kind === 'h' ? h : c).push(entry);
      return true;
    };

    // The pass: a share of the view paced by the time since the last slice (all of it when fast).
    const elapsed = this.#lastAt === null ? this.#passMs : Math.max(0, now - this.#lastAt);
    this.#lastAt = now;
    let quota = this.#fast ? Infinity : Math.max(1, Math.ceil((total * elapsed) / this.#passMs));
    let last = false;
    /** Adds the pass's next entry not in this slice yet; false when it does not fit or the pass is done. */
    const passStep = (): boolean => {
      for (;;) {
        const slot = this.#slots[this.#cursorSlot];
        if (slot === undefined) {
          last = true;
          return false;
        }
        const origin = slot.origins[this.#cursorOrigin];
        if (origin === undefined) {
          this.#cursorSlot += 1;
          this.#cursorOrigin = 0;
          continue;
        }
        const key = `${this.#cursorSlot}|${origin}`;
        if (!taken.has(key)) {
          if (!tryAdd(slot, origin, slot.last[origin]!)) return false;
          taken.add(key);
          this.#cursorOrigin += 1;
          return true;
        }
        this.#cursorOrigin += 1;
      }
    };

    // 1. The pass's next entry before anything else: however much the hot entries take, every
    // slice moves the pass on, so a pass always completes (within one slice per entry).
    if (passStep()) quota -= 1;

    // 2. Hot entries: pending first, then the newest changes, rotating when they overflow. They
    // leave a quarter of what is left to the pass.
    hot.sort((x, y) => y.rank - x.rank);
    const hotLimit = this.#bodyBytes - Math.floor((this.#bodyBytes - used) / 4);
    let overflow = false;
    for (let i = 0; i < hot.length; i++) {
      const { slot, origin } = hot[(i + this.#hotRotation) % hot.length]!;
      const key = `${slot.index}|${origin}`;
      if (taken.has(key)) continue;
      const marks = slot.last[origin]!;
      if (used >= hotLimit || !tryAdd(slot, origin, marks)) {
        overflow = true;
        this.#hotRotation = (this.#hotRotation + i) % hot.length;
        break;
      }
      taken.add(key);
    }
    if (!overflow) this.#hotRotation = 0;

    // 3. The rest of the pass's share.
    while (quota > 0 && !last && passStep()) quota -= 1;
    if (!last && this.#cursorSlot >= this.#slots.length) last = true;

    const body: SliceWire = {
      f: src.floors,
      n: table,
      e,
      a: alive,
      ...(src.dispatch !== undefined && { d: src.dispatch }),
      z: base,
      h,
      c,
      x: [this.#passId, this.#passIndex, last ? 1 : 0],
      ...(src.unsynced && { y: 1 as const }),
    };
    this.#passIndex += 1;
    if (last) this.#startPass(false);
    return body;
  }

  /** Whether a fast pass is under way (for tests and metrics). */
  get fast(): boolean {
    return this.#fast;
  }

  /** Notes what changed in a slot's register: the changed origins are hot from now. */
  #changed(slot: Slot, reg: CallRegister, now: number): void {
    const origins = Object.keys(reg);
    const pending: string[] = [];
    for (const origin of origins) {
      const m = reg[origin]!;
      if (!holdsMarks(slot.last, origin, m)) slot.hot.set(origin, now + this.#hotMs);
      if (isPending(m)) pending.push(origin);
    }
    slot.last = reg;
    slot.origins = origins;
    slot.pending = pending;
    slot.least = origins.length === 0 ? Number.MAX_SAFE_INTEGER : counterBase([reg]);
    if (slot.hot.size > 0 || pending.length > 0) this.#active.add(slot);
  }

  #startPass(fast: boolean): void {
    this.#passId += 1;
    this.#passIndex = 0;
    this.#cursorSlot = 0;
    this.#cursorOrigin = 0;
    this.#fast = fast;
  }

  #current(src: SliceSource, slot: Slot): CallRegister {
    if (slot.kind === 'h') return src.hall[slot.at >> 1]?.[slot.at & 1] ?? EMPTY;
    return src.cab.get(slot.owner)?.[slot.at] ?? EMPTY;
  }

  /** The slots follow the building: every hall register, then each cab owner's, in id order. */
  #syncSlots(src: SliceSource): void {
    const owners = [...src.cab.keys()].sort();
    const key = `${src.floors}|${owners.join(',')}`;
    if (key === this.#slotKey) return;
    this.#slotKey = key;
    const old = new Map(this.#slots.map((s) => [`${s.kind}|${s.owner}|${s.at}`, s]));
    const slots: Slot[] = [];
    const make = (kind: 'h' | 'c', at: number, owner: string): Slot =>
      old.get(`${kind}|${owner}|${at}`) ?? {
        kind,
        at,
        owner,
        index: 0,
        last: EMPTY,
        origins: [],
        pending: [],
        least: Number.MAX_SAFE_INTEGER,
        hot: new Map(),
      };
    for (let r = 0; r < 2 * src.floors; r++) slots.push(make('h', r, ''));
    for (const owner of owners)
      for (let f = 0; f < src.floors; f++) slots.push(make('c', f, owner));
    slots.forEach((s, i) => (s.index = i));
    this.#slots = slots;
    for (const s of this.#active) if (!slots.includes(s)) this.#active.delete(s);
    if (this.#cursorSlot > slots.length) this.#cursorSlot = slots.length;
  }
}
