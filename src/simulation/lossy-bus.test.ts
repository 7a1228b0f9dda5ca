import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../protocol/peer-envelope.js';
import { LossyBus, fragmentCount, type LossyBusOptions } from './lossy-bus.js';
import {
  describePeerTransportCompliance,
  type PeerTransportHarness,
} from '../testing/peer-transport-compliance.js';
import { SeededRandom, testSeed } from './seeded-random.js';

const seed = testSeed();

function busHarness(): PeerTransportHarness {
  const bus = new LossyBus({ random: new SeededRandom(seed), minDelayMs: 1, maxDelayMs: 20 });
  let created = 0;
  const made: ReturnType<LossyBus['endpoint']>[] = [];
  return {
    maxDatagramBytes: DEFAULT_MAX_ENVELOPE_BYTES,
    async create(count) {
      const nodes = [];
      for (let i = 0; i < count; i++) {
        const node = bus.endpoint(`node-${created++}`);
        await node.start();
        nodes.push(node);
      }
      made.push(...nodes);
      return nodes;
    },
    waitFor(condition, what) {
      // Step virtual time one delivery at a time until the condition holds.
      while (!condition()) {
        const at = bus.nextDeliveryAt();
        if (at === undefined) return Promise.reject(new Error(`nothing in flight; never: ${what}`));
        bus.runUntil(at);
      }
      return Promise.resolve();
    },
    async close() {
      await Promise.all(made.map((node) => node.stop()));
    },
  };
}

describePeerTransportCompliance(`lossy bus at zero loss (seed ${seed})`, busHarness);

/**
 * A small traffic scenario: 4 nodes, each broadcasting every 10 virtual ms, with one node
 * disconnected for a while; every node echoes every 7th datagram it receives (so deliveries
 * cause sends, as in the product). Returns the bus (with its trace).
 */
function scenario(busSeed: number, options: Partial<LossyBusOptions> = {}): LossyBus {
  const bus = new LossyBus({
    random: new SeededRandom(busSeed),
    lossRate: 0.3,
    dupRate: 0.1,
    minDelayMs: 1,
    maxDelayMs: 40,
    trace: true,
    ...options,
  });
  const names = ['a', 'b', 'c', 'd'];
  const nodes = names.map((name) => bus.endpoint(name));
  for (const node of nodes) {
    void node.start();
    let heard = 0;
    node.onDatagram((datagram) => {
      heard += 1;
      if (heard % 7 === 0) node.broadcast(datagram);
    });
  }
  for (let t = 0; t <= 2_000; t += 10) {
    bus.runUntil(t);
    if (t === 500) bus.disconnect('c');
    if (t === 900) bus.reconnect('c');
    if (t === 1_200) bus.setNodeLoss('d', 0.5);
    nodes.forEach((node, i) => node.broadcast(new Uint8Array([i, t & 0xff, t >> 8])));
  }
  bus.drain();
  return bus;
}

describe(`LossyBus (seed ${seed})`, () => {
  it('is deterministic: the same seed gives the same trace; another seed a different one', () => {
    const first = scenario(seed);
    const again = scenario(seed);
    expect(first.trace.length).toBeGreaterThan(1_000);
    expect(again.trace).toEqual(first.trace);
    expect(again.stats).toEqual(first.stats);
    const other = scenario(seed + 1);
    expect(other.trace).not.toEqual(first.trace);
  });

  it('loses about the configured fraction of copies', () => {
    for (const lossRate of [0, 0.1, 0.5, 0.8, 0.95]) {
      const bus = new LossyBus({ random: new SeededRandom(seed), lossRate });
      const nodes = ['a', 'b', 'c'].map((name) => bus.endpoint(name));
      nodes.forEach((node) => void node.start());
      const perNode = 4_000;
      for (let i = 0; i < perNode; i++)
        for (const node of nodes) node.broadcast(new Uint8Array([i & 0xff]));
      bus.drain();
      const copies = perNode * 3 * 3; // self delivery included
      expect(bus.stats.sent).toBe(perNode * 3);
      expect(bus.stats.delivered + bus.stats.dropped).toBe(copies);
      const observed = bus.stats.dropped / copies;
      // 36,000 Bernoulli trials: the standard deviation is at most 0.0027; allow 4 of them.
      expect(Math.abs(observed - lossRate), `loss ${lossRate}: observed ${observed}`).toBeLessThan(
        0.011,
      );
      expect(bus.stats.droppedByReason.loss).toBe(bus.stats.dropped);
    }
  });

  it('duplicates about the configured fraction and reorders within the delay window', () => {
    const bus = new LossyBus({
      random: new SeededRandom(seed),
      dupRate: 0.2,
      minDelayMs: 5,
      maxDelayMs: 50,
      deliverToSelf: false,
    });
    const a = bus.endpoint('a');
    const b = bus.endpoint('b');
    void a.start();
    void b.start();
    const got: { seq: number; at: number }[] = [];
    b.onDatagram((d) => got.push({ seq: (d[0] ?? 0) | ((d[1] ?? 0) << 8), at: bus.now }));
    const sentAt: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      bus.runUntil(i);
      sentAt.push(bus.now);
      a.broadcast(new Uint8Array([i & 0xff, i >> 8]));
    }
    bus.drain();
    const dupFraction = (got.length - 5_000) / 5_000;
    expect(Math.abs(dupFraction - 0.2)).toBeLessThan(0.03);
    let inversions = 0;
    for (const [k, r] of got.entries()) {
      const delay = r.at - (sentAt[r.seq] ?? Number.NaN);
      expect(delay).toBeGreaterThanOrEqual(5);
      expect(delay).toBeLessThanOrEqual(50);
      if (k > 0 && r.seq < (got[k - 1]?.seq ?? 0)) inversions += 1;
    }
    expect(inversions).toBeGreaterThan(100);
  });

  it('a disconnected node neither sends nor receives; a reconnected one does both', () => {
    const bus = new LossyBus({ random: new SeededRandom(seed), minDelayMs: 10, maxDelayMs: 10 });
    const [a, b] = [bus.endpoint('a'), bus.endpoint('b')];
    void a.start();
    void b.start();
    const atA: number[] = [];
    const atB: number[] = [];
    a.onDatagram((d) => atA.push(d[0] ?? -1));
    b.onDatagram((d) => atB.push(d[0] ?? -1));
    a.broadcast(new Uint8Array([1])); // in flight when b is cut: dropped on arrival
    bus.disconnect('b');
    a.broadcast(new Uint8Array([2]));
    b.broadcast(new Uint8Array([3]));
    bus.runUntil(100);
    expect(atB).toEqual([]);
    expect(atA).toEqual([1, 2]); // its own, via self delivery
    expect(bus.stats.droppedByReason.disconnected).toBe(4); // 1 and 2 at b; 3 at a and at b
    bus.reconnect('b');
    a.broadcast(new Uint8Array([4]));
    b.broadcast(new Uint8Array([5]));
    bus.runUntil(200);
    expect(atB).toEqual([4, 5]);
    expect(atA).toEqual([1, 2, 4, 5]);
  });

  it('per-node loss applies to what that node sends and receives', () => {
    const bus = new LossyBus({ random: new SeededRandom(seed), deliverToSelf: false });
    const [a, b, c] = [bus.endpoint('a'), bus.endpoint('b'), bus.endpoint('c')];
    for (const n of [a, b, c]) void n.start();
    bus.setNodeLoss('c', 0.5);
    const count = { ab: 0, ac: 0, ca: 0 };
    b.onDatagram((_, s) => s.address === 'a' && count.ab++);
    c.onDatagram((_, s) => s.address === 'a' && count.ac++);
    a.onDatagram((_, s) => s.address === 'c' && count.ca++);
    for (let i = 0; i < 4_000; i++) {
      a.broadcast(new Uint8Array([0]));
      c.broadcast(new Uint8Array([0]));
    }
    bus.drain();
    expect(count.ab).toBe(4_000);
    expect(Math.abs(count.ac / 4_000 - 0.5)).toBeLessThan(0.04);
    expect(Math.abs(count.ca / 4_000 - 0.5)).toBeLessThan(0.04);
  });

  it('link loss applies to one direction of one link only (an asymmetric partition)', () => {
    const bus = new LossyBus({ random: new SeededRandom(seed), deliverToSelf: false });
    const [a, b, c] = [bus.endpoint('a'), bus.endpoint('b'), bus.endpoint('c')];
    for (const n of [a, b, c]) void n.start();
    bus.setLinkLoss('a', 'b', 1);
    bus.setLinkLoss('c', 'a', 0.5);
    const count = { ab: 0, ba: 0, ac: 0, ca: 0, cb: 0 };
    b.onDatagram((_, s) => (s.address === 'a' ? count.ab++ : count.cb++));
    a.onDatagram((_, s) => (s.address === 'b' ? count.ba++ : count.ca++));
    c.onDatagram((_, s) => s.address === 'a' && count.ac++);
    for (let i = 0; i < 4_000; i++) for (const n of [a, b, c]) n.broadcast(new Uint8Array([0]));
    bus.drain();
    expect(count).toMatchObject({ ab: 0, ba: 4_000, ac: 4_000, cb: 4_000 });
    expect(Math.abs(count.ca / 4_000 - 0.5)).toBeLessThan(0.04);
    expect(() => bus.setLinkLoss('a', 'b', 1.5)).toThrow(RangeError);
    bus.setLinkLoss('a', 'b', 0);
    a.broadcast(new Uint8Array([0]));
    bus.drain();
    expect(count.ab).toBe(1);
  });

  it('runUntil delivers in time order, advances the clock, and reports the next delivery', () => {
    const bus = new LossyBus({
      random: new SeededRandom(seed),
      minDelayMs: 30,
      maxDelayMs: 30,
      deliverToSelf: false,
    });
    const [a, b] = [bus.endpoint('a'), bus.endpoint('b')];
    void a.start();
    void b.start();
    const times: number[] = [];
    b.onDatagram(() => times.push(bus.now));
    a.broadcast(new Uint8Array([1]));
    bus.runUntil(10);
    a.broadcast(new Uint8Array([2]));
    expect(bus.nextDeliveryAt()).toBe(30);
    expect(bus.runUntil(29)).toBe(0);
    expect(bus.runUntil(100)).toBe(2);
    expect(times).toEqual([30, 40]);
    expect(bus.now).toBe(100);
    expect(bus.nextDeliveryAt()).toBeUndefined();
  });

  it('counts IPv4 fragments exactly at the boundaries (MTU 1500: 1,480 bytes per fragment)', () => {
    // [UDP payload bytes, fragments]: 1472 + 8 (UDP) + 20 (IP) = 1500 fills one frame; after
    // that every 1,480 bytes of IP payload (UDP header included) is one more fragment.
    const cases: [number, number][] = [
      [0, 1],
      [1, 1],
      [1_472, 1],
      [1_473, 2],
      [2_952, 2],
      [2_953, 3],
      [4_432, 3],
      [4_433, 4],
      [5_000, 4],
      [5_912, 4],
      [5_913, 5],
      [12_000, 9],
      [65_507, 45], // the largest UDP payload over IPv4
    ];
    for (const [bytes, fragments] of cases)
      expect(fragmentCount(bytes), `${bytes} B`).toBe(fragments);
    // A smaller MTU: 576 carries 548 payload bytes whole, then 552 bytes per fragment.
    expect(fragmentCount(548, 576)).toBe(1);
    expect(fragmentCount(549, 576)).toBe(2);
    expect(fragmentCount(1_096, 576)).toBe(2);
    expect(fragmentCount(1_097, 576)).toBe(3);
    expect(() => fragmentCount(-1)).toThrow(RangeError);
    // The bus uses the same count, traces it, and counts fragmented broadcasts.
    const bus = new LossyBus({ random: new SeededRandom(seed), trace: true });
    const a = bus.endpoint('a');
    void a.start();
    for (const bytes of [1_472, 1_473, 6_000]) a.broadcast(new Uint8Array(bytes));
    const sends = bus.trace.filter((e) => e.kind === 'send');
    expect(sends.map((e) => [e.bytes, e.fragments])).toEqual([
      [1_472, 1],
      [1_473, 2],
      [6_000, 5],
    ]);
    expect(bus.stats.fragmentedSent).toBe(2);
    expect(bus.stats.fragments).toBe(8); // one copy each (self delivery)
    expect(
      new LossyBus({ random: new SeededRandom(seed), mtu: Infinity }).fragmentsOf(65_507),
    ).toBe(1);
  });

  it('delivers a 5-fragment datagram at 20% loss with probability 0.8^5, not 0.8', () => {
    const bus = new LossyBus({
      random: new SeededRandom(seed),
      lossRate: 0.2,
      deliverToSelf: false,
    });
    const [a, b] = [bus.endpoint('a'), bus.endpoint('b')];
    void a.start();
    void b.start();
    let received = 0;
    b.onDatagram(() => (received += 1));
    const n = 20_000;
    const datagram = new Uint8Array(6_000); // 6,008 bytes of IP payload: 5 fragments
    expect(fragmentCount(datagram.length)).toBe(5);
    for (let i = 0; i < n; i++) a.broadcast(datagram);
    bus.drain();
    const q = 0.8 ** 5; // 0.32768
    // Deliveries are Binomial(n, q): standard deviation sqrt(q (1 - q) / n) = 0.0033 of the
    // rate; 4.5 of them (a false alarm about once in 150,000 runs) is 0.015, far from 0.8.
    const tolerance = 4.5 * Math.sqrt((q * (1 - q)) / n);
    const rate = received / n;
    expect(Math.abs(rate - q), `delivery rate ${rate}, expected ${q} ± ${tolerance}`).toBeLessThan(
      tolerance,
    );
    expect(bus.stats.fragments).toBe(5 * n);
    // Fragments are Binomial(5n, 0.2): sd 0.0013 of the rate.
    const fragmentLoss = bus.stats.fragmentsLost / bus.stats.fragments;
    expect(Math.abs(fragmentLoss - 0.2)).toBeLessThan(4.5 * Math.sqrt((0.2 * 0.8) / (5 * n)));
    expect(bus.stats.droppedByReason.loss).toBe(n - received);
    // Each lost copy lost at least one fragment, and the trace-free counters add up.
    expect(bus.stats.fragmentsLost).toBeGreaterThanOrEqual(n - received);
  });

  it('per-node loss applies to every fragment too', () => {
    const bus = new LossyBus({ random: new SeededRandom(seed), deliverToSelf: false });
    const [a, b] = [bus.endpoint('a'), bus.endpoint('b')];
    void a.start();
    void b.start();
    bus.setNodeLoss('b', 0.1);
    let received = 0;
    b.onDatagram(() => (received += 1));
    const n = 20_000;
    for (let i = 0; i < n; i++) a.broadcast(new Uint8Array(3_000)); // 3 fragments
    bus.drain();
    const q = 0.9 ** 3;
    expect(Math.abs(received / n - q)).toBeLessThan(4.5 * Math.sqrt((q * (1 - q)) / n));
  });

  it('leaves a datagram that fits in one frame exactly as before: same draws, same trace', () => {
    // A bus that never fragments is the model before fragments; at 1,472 bytes both must make
    // the same drops, one by one. At 1,473 bytes (two fragments) they must not.
    const run = (bytes: number, mtu?: number): LossyBus => {
      const bus = new LossyBus({
        random: new SeededRandom(seed),
        lossRate: 0.2,
        dupRate: 0.1,
        minDelayMs: 1,
        maxDelayMs: 9,
        trace: true,
        ...(mtu === undefined ? {} : { mtu }),
      });
      const nodes = ['a', 'b', 'c'].map((name) => bus.endpoint(name));
      nodes.forEach((node) => void node.start());
      bus.setNodeLoss('c', 0.3);
      for (let t = 0; t < 2_000; t += 10) {
        bus.runUntil(t);
        for (const node of nodes) node.broadcast(new Uint8Array(bytes));
      }
      bus.drain();
      return bus;
    };
    const strip = (bus: LossyBus): unknown[] =>
      bus.trace.map((e) => (e.kind === 'send' ? { ...e, fragments: 0 } : e));
    const fits = run(1_472);
    const unfragmented = run(1_472, Infinity);
    expect(fits.trace).toEqual(unfragmented.trace);
    expect(fits.stats).toEqual(unfragmented.stats);
    expect(fits.stats.fragmentedSent).toBe(0);
    const copies = fits.stats.delivered - fits.stats.duplicated + fits.stats.dropped;
    const lossRate = fits.stats.dropped / copies;
    // Of the 9 copy kinds, 4 (among a and b) lose 20%, 4 (to or from c) 1 - 0.8 * 0.7 = 44%, and
    // c to itself 1 - 0.8 * 0.7 * 0.7 = 60.8%: 35.2% on average, per copy as before fragments.
    const expected = (4 * 0.2 + 4 * 0.44 + 0.608) / 9;
    expect(copies).toBe(200 * 9);
    expect(Math.abs(lossRate - expected)).toBeLessThan(
      4.5 * Math.sqrt((expected * (1 - expected)) / copies),
    );
    const split = run(1_473);
    expect(strip(split)).not.toEqual(strip(run(1_473, Infinity)));
    expect(split.stats.dropped).toBeGreaterThan(fits.stats.dropped);
  });

  it('is deterministic with fragmented datagrams too', () => {
    const big = (busSeed: number): LossyBus => {
      const bus = new LossyBus({ random: new SeededRandom(busSeed), lossRate: 0.2, trace: true });
      const nodes = ['a', 'b', 'c'].map((name) => bus.endpoint(name));
      nodes.forEach((node) => void node.start());
      for (let i = 0; i < 500; i++)
        nodes.forEach((node, k) => node.broadcast(new Uint8Array(1_000 + ((i * 37 + k) % 9_000))));
      bus.drain();
      return bus;
    };
    const first = big(seed);
    expect(big(seed).trace).toEqual(first.trace);
    expect(big(seed).stats).toEqual(first.stats);
    expect(big(seed + 1).trace).not.toEqual(first.trace);
    expect(first.stats.fragmentsLost).toBeGreaterThan(0);
    const drops = first.trace.filter((e) => e.kind === 'drop');
    expect(drops.every((e) => (e.fragmentsLost ?? 0) >= 1)).toBe(true);
  });

  it('rejects rates outside [0, 1] and inverted delay bounds', () => {
    const random = new SeededRandom(seed);
    expect(() => new LossyBus({ random, lossRate: 1.5 })).toThrow(RangeError);
    expect(() => new LossyBus({ random, minDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
    expect(() => new LossyBus({ random }).setDupRate(-0.1)).toThrow(RangeError);
    expect(() => new LossyBus({ random, mtu: 20 })).toThrow(RangeError);
  });
});
