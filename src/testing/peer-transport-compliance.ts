/**
 * The one compliance suite every {@link PeerTransport} passes: real UDP broadcast
 * (`src/io/udp-peer-transport.test.ts`) and the in-memory lossy bus at zero loss
 * (`src/simulation/lossy-bus.test.ts`). A harness abstracts how transports are made and how time
 * passes (real waiting on a condition, or stepping virtual time).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DatagramSource, PeerTransport } from '../io/peer-transport.js';

/** How the suite drives one implementation. */
export interface PeerTransportHarness {
  /** Creates `count` started transports on one network, each hearing the others. */
  create(count: number): Promise<PeerTransport[]>;
  /**
   * Lets (real or virtual) time pass until `condition()` holds; rejects with an error naming
   * `what` if it does not hold in reasonable time (or, in virtual time, once nothing is in flight).
   */
  waitFor(condition: () => boolean, what: string): Promise<void>;
  /** Largest datagram that must pass (the envelope size bound). */
  maxDatagramBytes: number;
  /** Stops and releases everything the harness created. */
  close(): Promise<void>;
}

interface Received {
  text: string;
  bytes: Uint8Array;
  source: DatagramSource;
}

/** Records what one transport receives, decoded as text for easy comparison. */
function record(transport: PeerTransport): Received[] {
  const got: Received[] = [];
  const decoder = new TextDecoder();
  transport.onDatagram((datagram, source) => {
    got.push({ text: decoder.decode(datagram), bytes: datagram.slice(), source });
  });
  return got;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Deterministic filler so that a corrupted byte anywhere is noticed. */
function pattern(length: number, salt: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + salt * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** Registers the compliance suite for one implementation. */
export function describePeerTransportCompliance(
  name: string,
  makeHarness: () => PeerTransportHarness,
): void {
  describe(`PeerTransport compliance: ${name}`, () => {
    let harness: PeerTransportHarness | undefined;
    const setup = (): PeerTransportHarness => {
      harness = makeHarness();
      return harness;
    };
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('a broadcast reaches every other endpoint, byte for byte, with a source', async () => {
      const h = setup();
      const nodes = await h.create(3);
      const logs = nodes.map(record);
      nodes.forEach((node, i) => node.broadcast(encode(`hello from ${i}`)));
      const others = (i: number): string[] =>
        [0, 1, 2].filter((j) => j !== i).map((j) => `hello from ${j}`);
      await h.waitFor(
        () => logs.every((log, i) => others(i).every((t) => log.some((r) => r.text === t))),
        'every node hears both others',
      );
      for (const [i, log] of logs.entries()) {
        // Own datagrams may or may not come back; nothing else may appear, and nothing twice.
        const texts = log.map((r) => r.text).sort();
        const allowed = new Set([...others(i), `hello from ${i}`]);
        expect(texts.every((t) => allowed.has(t))).toBe(true);
        expect(new Set(texts).size).toBe(texts.length);
        for (const r of log) {
          expect(typeof r.source.address).toBe('string');
          expect(Number.isInteger(r.source.port)).toBe(true);
        }
      }
    });

    it('every listener gets each datagram; an unsubscribed one gets nothing more', async () => {
      const h = setup();
      const [a, b] = await h.create(2);
      if (a === undefined || b === undefined) throw new Error('harness made too few transports');
      const first: string[] = [];
      const second: string[] = [];
      const decoder = new TextDecoder();
      const unsubscribe = b.onDatagram((d) => first.push(decoder.decode(d)));
      b.onDatagram((d) => second.push(decoder.decode(d)));
      a.broadcast(encode('one'));
      await h.waitFor(() => first.includes('one') && second.includes('one'), 'both listeners');
      unsubscribe();
      a.broadcast(encode('two'));
      await h.waitFor(() => second.includes('two'), 'the remaining listener');
      expect(first).not.toContain('two');
    });

    it('stop() ends delivery to that endpoint; broadcasting when stopped does not throw', async () => {
      const h = setup();
      const [a, b, c] = await h.create(3);
      if (a === undefined || b === undefined || c === undefined) throw new Error('too few');
      const atB = record(b);
      const atC = record(c);
      await c.stop();
      expect(() => c.broadcast(encode('from a stopped node'))).not.toThrow();
      a.broadcast(encode('after stop'));
      // b is the witness: once it has the datagram, c would have had it too.
      await h.waitFor(() => atB.some((r) => r.text === 'after stop'), 'the witness receives');
      expect(atC).toHaveLength(0);
      expect(atB.some((r) => r.text === 'from a stopped node')).toBe(false);
      await c.stop(); // idempotent
    });

    it('a burst of many datagrams all arrive (no loss configured)', async () => {
      const h = setup();
      const nodes = await h.create(3);
      const [a, b, c] = nodes;
      if (a === undefined || b === undefined || c === undefined) throw new Error('too few');
      const atC = record(c);
      const perSender = 300;
      for (let i = 0; i < perSender; i++) {
        a.broadcast(encode(`a-${i}-${'x'.repeat(i % 150)}`));
        b.broadcast(encode(`b-${i}-${'y'.repeat(i % 150)}`));
      }
      const fromOthers = (): number => atC.filter((r) => /^[ab]-/.test(r.text)).length;
      await h.waitFor(() => fromOthers() >= 2 * perSender, `${2 * perSender} datagrams at c`);
      const texts = new Set(atC.map((r) => r.text));
      for (let i = 0; i < perSender; i++) {
        expect(texts.has(`a-${i}-${'x'.repeat(i % 150)}`)).toBe(true);
        expect(texts.has(`b-${i}-${'y'.repeat(i % 150)}`)).toBe(true);
      }
    });

    it('datagrams up to the size bound pass intact', async () => {
      const h = setup();
      const [a, b] = await h.create(2);
      if (a === undefined || b === undefined) throw new Error('too few');
      const atB = record(b);
      const sizes = [1, 1_400, 9_000, h.maxDatagramBytes - 1, h.maxDatagramBytes];
      const sent = sizes.map((size, i) => pattern(size, i));
      for (const datagram of sent) a.broadcast(datagram);
      await h.waitFor(() => atB.length >= sent.length, `${sent.length} large datagrams`);
      const bySize = new Map(atB.map((r) => [r.bytes.length, r.bytes]));
      for (const datagram of sent) {
        expect(bySize.get(datagram.length)).toEqual(datagram);
      }
    });

    it('a transport can be stopped and started again', async () => {
      const h = setup();
      const [a, b] = await h.create(2);
      if (a === undefined || b === undefined) throw new Error('too few');
      const atB = record(b);
      await b.stop();
      await b.start();
      a.broadcast(encode('after restart'));
      await h.waitFor(() => atB.some((r) => r.text === 'after restart'), 'delivery after restart');
    });
  });
}
