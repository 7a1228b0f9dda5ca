/**
 * An in-memory broadcast network for deterministic simulation tests, driven in VIRTUAL time by
 * a seeded random scheduler: loss (global and per node), duplication, latency jitter (hence
 * reordering) and per-node disconnects. Given the same seed and the same calls, it produces the
 * same deliveries in the same order.
 *
 * Time: the bus keeps its own virtual clock `now`. A broadcast is scheduled at `now + delay`.
 * `runUntil(t)` delivers every datagram due at or before `t` in (time, scheduling order) and
 * leaves `now = t`; a discrete-event loop can step the bus with `nextDeliveryAt()`.
 * Alternatively pass `now: () => number` to read the simulation's own clock for scheduling.
 *
 * Model: each broadcast is copied once per receiving endpoint (every other started endpoint,
 * and the sender itself when `deliverToSelf`), and duplicated with probability `dupRate`, each
 * copy with its own delay in [minDelayMs, maxDelayMs]. A disconnected node sends nothing and
 * receives nothing (copies arriving while it is disconnected are dropped); a stopped endpoint
 * receives nothing either.
 *
 * Loss is per IP fragment, as on a real link: a datagram whose UDP payload does not fit in one
 * frame (`mtu`, default Ethernet's 1500 bytes: up to 1,472 payload bytes after the 20-byte IP
 * and 8-byte UDP headers) travels as {@link fragmentCount} fragments, and a copy is delivered
 * only if every one of its fragments arrives. Each fragment of each copy is lost independently
 * with probability 1 - (1 - lossRate)(1 - senderLoss)(1 - receiverLoss), so a copy of `k`
 * fragments arrives with probability (1 - lossRate)^k (1 - senderLoss)^k (1 - receiverLoss)^k.
 * A datagram that fits in one frame draws exactly the random numbers it drew before fragments
 * were modelled, so traces of small datagrams are unchanged.
 */
import type { DatagramSource, PeerTransport } from '../io/peer-transport.js';
import type { SeededRandom } from './seeded-random.js';

export interface LossyBusOptions {
  random: SeededRandom;
  /** Probability in [0, 1] that one copy of a datagram is lost. Default 0. */
  lossRate?: number;
  /** Probability in [0, 1] that one copy is delivered twice. Default 0. */
  dupRate?: number;
  /** Delivery delay bounds in virtual ms (uniform). Default 0..0. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Whether a sender receives its own broadcasts, like UDP broadcast does. Default true. */
  deliverToSelf?: boolean;
  /** Reads the simulation clock for scheduling; default the bus's own virtual clock. */
  now?: () => number;
  /** Record a trace of every send, delivery and drop (for determinism checks). Default false. */
  trace?: boolean;
  /**
   * The link's MTU in bytes (IPv4 packet size, headers included); larger datagrams are
   * fragmented. Default 1500 (Ethernet). `Infinity` never fragments.
   */
  mtu?: number;
}

/** Ethernet's MTU: the largest IPv4 packet one frame carries. */
export const ETHERNET_MTU = 1500;
const IPV4_HEADER_BYTES = 20;
const UDP_HEADER_BYTES = 8;

/**
 * How many IPv4 fragments a UDP datagram with `payloadBytes` of payload travels as on a link of
 * `mtu` (no IP options). The UDP header (8 bytes) is part of the IP payload and so rides in the
 * first fragment; every fragment but the last carries a multiple of 8 bytes of IP payload (the
 * fragment offset counts 8-byte units), at most `mtu - 20`. At 1500: 1,472 payload bytes fit in
 * one frame, 1,473 need two, and each further 1,480 bytes one more.
 */
export function fragmentCount(payloadBytes: number, mtu = ETHERNET_MTU): number {
  if (!(Number.isInteger(payloadBytes) && payloadBytes >= 0)) {
    throw new RangeError(`payloadBytes must be a non-negative integer, got ${payloadBytes}`);
  }
  const ipPayload = payloadBytes + UDP_HEADER_BYTES;
  if (ipPayload + IPV4_HEADER_BYTES <= mtu) return 1;
  const perFragment = Math.floor((mtu - IPV4_HEADER_BYTES) / 8) * 8;
  if (perFragment < 8) throw new RangeError(`an MTU of ${mtu} cannot carry fragments`);
  return Math.ceil(ipPayload / perFragment);
}

/** Why a copy of a datagram was not delivered. */
export type LossyBusDropReason = 'loss' | 'disconnected' | 'stopped';

/**
 * Counters of a {@link LossyBus}. `sent` counts broadcasts, `delivered`, `dropped` and
 * `duplicated` count copies; the fragment counters count fragments of copies that reached the
 * loss draw (copies dropped for a disconnect or a stopped endpoint draw nothing).
 */
export interface LossyBusStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  droppedByReason: Record<LossyBusDropReason, number>;
  /** Broadcasts that did not fit in one frame. */
  fragmentedSent: number;
  /** Fragments of the copies that went through the loss draw, and those of them lost. */
  fragments: number;
  fragmentsLost: number;
}

/** One line of the trace: `at` virtual ms, `id` of the broadcast (sender's n-th, from 1). */
export type LossyBusTraceEvent =
  | { kind: 'send'; at: number; from: string; id: number; bytes: number; fragments: number }
  | { kind: 'deliver'; at: number; from: string; to: string; id: number }
  | {
      kind: 'drop';
      at: number;
      from: string;
      to: string;
      id: number;
      reason: LossyBusDropReason;
      /** For `loss`: how many of the copy's fragments were lost (at least 1). */
      fragmentsLost?: number;
    };

interface Scheduled {
  at: number;
  order: number;
  from: string;
  to: string;
  id: number;
  datagram: Uint8Array;
}

type Listener = (datagram: Uint8Array, source: DatagramSource) => void;

/** The in-memory network. */
export class LossyBus {
  readonly stats: LossyBusStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    droppedByReason: { loss: 0, disconnected: 0, stopped: 0 },
    fragmentedSent: 0,
    fragments: 0,
    fragmentsLost: 0,
  };
  /** The trace (empty unless the `trace` option is set). */
  readonly trace: LossyBusTraceEvent[] = [];
  readonly #random: SeededRandom;
  readonly #endpoints = new Map<string, LossyBusEndpoint>();
  readonly #nodeLoss = new Map<string, number>();
  /** Loss per direction of a link, keyed `from>to`. */
  readonly #linkLoss = new Map<string, number>();
  readonly #disconnected = new Set<string>();
  readonly #queue = new MinHeap<Scheduled>((a, b) => a.at - b.at || a.order - b.order);
  readonly #clock: (() => number) | undefined;
  readonly #deliverToSelf: boolean;
  readonly #tracing: boolean;
  readonly #mtu: number;
  #lossRate: number;
  #dupRate: number;
  #minDelayMs: number;
  #maxDelayMs: number;
  #now = 0;
  #order = 0;

  constructor(options: LossyBusOptions) {
    this.#random = options.random;
    this.#lossRate = checkRate(options.lossRate ?? 0, 'lossRate');
    this.#dupRate = checkRate(options.dupRate ?? 0, 'dupRate');
    this.#minDelayMs = 0;
    this.#maxDelayMs = 0;
    this.setDelay(options.minDelayMs ?? 0, options.maxDelayMs ?? options.minDelayMs ?? 0);
    this.#deliverToSelf = options.deliverToSelf ?? true;
    this.#clock = options.now;
    this.#tracing = options.trace ?? false;
    this.#mtu = options.mtu ?? ETHERNET_MTU;
    if (!(this.#mtu > IPV4_HEADER_BYTES + UDP_HEADER_BYTES)) {
      throw new RangeError(
        `mtu must exceed ${IPV4_HEADER_BYTES + UDP_HEADER_BYTES}, got ${this.#mtu}`,
      );
    }
  }

  /** The number of fragments a datagram of `bytes` travels as on this bus. */
  fragmentsOf(bytes: number): number {
    return this.#mtu === Infinity ? 1 : fragmentCount(bytes, this.#mtu);
  }

  /** Current virtual time in ms. */
  get now(): number {
    return this.#clock === undefined ? this.#now : this.#clock();
  }

  /** The endpoint called `name` (created on first use; one per name). */
  endpoint(name: string): LossyBusEndpoint {
    let endpoint = this.#endpoints.get(name);
    if (endpoint === undefined) {
      endpoint = new LossyBusEndpoint(this, name);
      this.#endpoints.set(name, endpoint);
    }
    return endpoint;
  }

  /** Sets the global loss rate in [0, 1]. */
  setLoss(rate: number): void {
    this.#lossRate = checkRate(rate, 'lossRate');
  }

  /** Sets an extra loss rate for everything one node sends or receives (0 removes it). */
  setNodeLoss(name: string, rate: number): void {
    this.#nodeLoss.set(name, checkRate(rate, 'node loss rate'));
  }

  /**
   * Sets the loss rate of one direction of one link, `from` to `to`, in [0, 1] (on top of the
   * others): an asymmetric partition, where `to` does not hear `from` but `from` may hear `to`.
   */
  setLinkLoss(from: string, to: string, rate: number): void {
    this.#linkLoss.set(`${from}>${to}`, checkRate(rate, 'link loss rate'));
  }

  /** Sets the duplication rate in [0, 1]. */
  setDupRate(rate: number): void {
    this.#dupRate = checkRate(rate, 'dupRate');
  }

  /** Sets the delivery delay bounds in virtual ms. */
  setDelay(minDelayMs: number, maxDelayMs: number): void {
    if (!(minDelayMs >= 0 && maxDelayMs >= minDelayMs)) {
      throw new RangeError(`need 0 <= minDelayMs <= maxDelayMs, got ${minDelayMs}..${maxDelayMs}`);
    }
    this.#minDelayMs = minDelayMs;
    this.#maxDelayMs = maxDelayMs;
  }

  /** Cuts a node off: it neither sends nor receives until {@link reconnect}. */
  disconnect(name: string): void {
    this.#disconnected.add(name);
  }

  reconnect(name: string): void {
    this.#disconnected.delete(name);
  }

  isConnected(name: string): boolean {
    return !this.#disconnected.has(name);
  }

  /** Virtual time of the next scheduled delivery, or undefined if nothing is in flight. */
  nextDeliveryAt(): number | undefined {
    return this.#queue.peek()?.at;
  }

  /** Number of copies in flight. */
  get inFlight(): number {
    return this.#queue.size;
  }

  /**
   * Delivers every copy due at or before `timeMs`, in order, and advances the virtual clock to
   * `timeMs` (it never goes back). Datagrams broadcast by listeners during delivery are
   * scheduled from the delivery's time and delivered in this call too if due. Returns the
   * number of copies delivered.
   */
  runUntil(timeMs: number): number {
    let delivered = 0;
    for (
      let next = this.#queue.peek();
      next !== undefined && next.at <= timeMs;
      next = this.#queue.peek()
    ) {
      this.#queue.pop();
      this.#now = Math.max(this.#now, next.at);
      if (this.#deliver(next)) delivered += 1;
    }
    this.#now = Math.max(this.#now, timeMs);
    return delivered;
  }

  /** Delivers everything in flight (including what deliveries cause), up to `limitMs` ahead. */
  drain(limitMs = 60_000): number {
    let delivered = 0;
    const end = this.#now + limitMs;
    for (
      let at = this.nextDeliveryAt();
      at !== undefined && at <= end;
      at = this.nextDeliveryAt()
    ) {
      delivered += this.runUntil(at);
    }
    return delivered;
  }

  /** @internal called by an endpoint. */
  send(from: LossyBusEndpoint, datagram: Uint8Array): void {
    if (!from.running) {
      // Like a closed socket: the sender's own transport refuses; nothing reaches the wire.
      from.stats.sendErrors += 1;
      return;
    }
    from.stats.sent += 1;
    this.stats.sent += 1;
    const id = from.stats.sent;
    const now = this.now;
    const fragments = this.fragmentsOf(datagram.length);
    if (fragments > 1) this.stats.fragmentedSent += 1;
    if (this.#tracing) {
      this.trace.push({
        kind: 'send',
        at: now,
        from: from.name,
        id,
        bytes: datagram.length,
        fragments,
      });
    }
    // One copy of the bytes for all receivers: the sender may reuse its buffer.
    const copy = datagram.slice();
    // A pulled cable: the send "succeeds" locally and reaches nobody.
    const senderCut = this.#disconnected.has(from.name);
    const senderLoss = this.#nodeLoss.get(from.name) ?? 0;
    for (const to of this.#endpoints.values()) {
      if (to === from && !this.#deliverToSelf) continue;
      if (senderCut || this.#disconnected.has(to.name)) {
        this.#drop(now, from.name, to.name, id, 'disconnected');
        continue;
      }
      if (!to.running) {
        this.#drop(now, from.name, to.name, id, 'stopped');
        continue;
      }
      const receiverLoss = this.#nodeLoss.get(to.name) ?? 0;
      const linkLoss = this.#linkLoss.get(`${from.name}>${to.name}`) ?? 0;
      // Every fragment is drawn (even after one is lost) so the lost-fragment count is exact.
      let lost = 0;
      for (let f = 0; f < fragments; f++) {
        if (
          this.#random.chance(this.#lossRate) ||
          this.#random.chance(senderLoss) ||
          this.#random.chance(receiverLoss) ||
          // Drawn only when set, so the random stream of every run without link loss is unchanged.
          (linkLoss > 0 && this.#random.chance(linkLoss))
        )
          lost += 1;
      }
      this.stats.fragments += fragments;
      this.stats.fragmentsLost += lost;
      if (lost > 0) {
        this.#drop(now, from.name, to.name, id, 'loss', lost);
        continue;
      }
      const copies = this.#random.chance(this.#dupRate) ? 2 : 1;
      if (copies === 2) this.stats.duplicated += 1;
      for (let i = 0; i < copies; i++) {
        this.#queue.push({
          at: now + this.#random.between(this.#minDelayMs, this.#maxDelayMs),
          order: this.#order++,
          from: from.name,
          to: to.name,
          id,
          datagram: copy,
        });
      }
    }
  }

  #deliver(item: Scheduled): boolean {
    const to = this.#endpoints.get(item.to);
    if (to === undefined || !to.running) {
      this.#drop(item.at, item.from, item.to, item.id, 'stopped');
      return false;
    }
    if (this.#disconnected.has(item.to)) {
      this.#drop(item.at, item.from, item.to, item.id, 'disconnected');
      return false;
    }
    this.stats.delivered += 1;
    if (this.#tracing) {
      this.trace.push({ kind: 'deliver', at: item.at, from: item.from, to: item.to, id: item.id });
    }
    // Each listener gets its own copy so one cannot corrupt what another sees.
    to.receive(item.datagram.slice(), { address: item.from, port: 0 });
    return true;
  }

  #drop(
    at: number,
    from: string,
    to: string,
    id: number,
    reason: LossyBusDropReason,
    fragmentsLost?: number,
  ): void {
    this.stats.dropped += 1;
    this.stats.droppedByReason[reason] += 1;
    if (this.#tracing) {
      this.trace.push(
        fragmentsLost === undefined
          ? { kind: 'drop', at, from, to, id, reason }
          : { kind: 'drop', at, from, to, id, reason, fragmentsLost },
      );
    }
  }
}

/** Counters of one endpoint. */
export interface LossyBusEndpointStats {
  sent: number;
  received: number;
  sendErrors: number;
}

/** One node's {@link PeerTransport} on a {@link LossyBus}. The source address is the sender's name. */
export class LossyBusEndpoint implements PeerTransport {
  readonly stats: LossyBusEndpointStats = { sent: 0, received: 0, sendErrors: 0 };
  readonly name: string;
  readonly #bus: LossyBus;
  readonly #listeners = new Set<Listener>();
  #running = false;

  /** @internal use {@link LossyBus.endpoint}. */
  constructor(bus: LossyBus, name: string) {
    this.#bus = bus;
    this.name = name;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): Promise<void> {
    this.#running = true;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#running = false;
    return Promise.resolve();
  }

  broadcast(datagram: Uint8Array): void {
    this.#bus.send(this, datagram);
  }

  onDatagram(listener: Listener): () => void {
    const entry: Listener = (datagram, source) => listener(datagram, source);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** @internal called by the bus. */
  receive(datagram: Uint8Array, source: DatagramSource): void {
    this.stats.received += 1;
    for (const listener of [...this.#listeners]) {
      listener(this.#listeners.size > 1 ? datagram.slice() : datagram, source);
    }
  }
}

function checkRate(rate: number, what: string): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${rate}`);
  return rate;
}

/** A binary min-heap; ties are broken by the comparator (the bus uses a scheduling counter). */
class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#less = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#less(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.#less(items[left] as T, items[smallest] as T) < 0)
          smallest = left;
        if (right < items.length && this.#less(items[right] as T, items[smallest] as T) < 0)
          smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as T, items[i] as T];
        i = smallest;
      }
    }
    return top;
  }
}
