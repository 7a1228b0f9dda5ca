import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHmacAuthenticator } from '../io/hmac.js';
import { PeerEnvelopeCodec } from '../protocol/peer-envelope.js';
import { LossyBus } from '../simulation/lossy-bus.js';
import { SeededRandom, testSeed } from '../simulation/seeded-random.js';

const seed = testSeed();
const bodySchema = z.object({ counter: z.number().int() });

describe(`envelopes over a lossy, duplicating, reordering bus (seed ${seed})`, () => {
  it('each node accepts only newer datagrams from each peer, never its own, and drops stale runs', () => {
    const bus = new LossyBus({
      random: new SeededRandom(seed),
      lossRate: 0.5,
      dupRate: 0.3,
      minDelayMs: 0,
      maxDelayMs: 60,
    });
    const auth = createHmacAuthenticator('lab key');
    const names = ['a', 'b', 'c'];
    let incarnation = 1_000;
    const makeCodec = (name: string): PeerEnvelopeCodec<typeof bodySchema> =>
      new PeerEnvelopeCodec({ selfId: name, incarnation: ++incarnation, bodySchema, auth });
    const codecs = new Map(names.map((name) => [name, makeCodec(name)]));
    // What each receiver accepted last from each sender: counters must strictly increase.
    const lastAccepted = new Map<string, number>();
    let accepted = 0;
    for (const name of names) {
      const endpoint = bus.endpoint(name);
      void endpoint.start();
      endpoint.onDatagram((datagram) => {
        const result = codecs.get(name)?.decode(datagram);
        if (result?.ok !== true) return;
        accepted += 1;
        const { from, body } = result.envelope;
        expect(from).not.toBe(name);
        const key = `${name}<-${from}`;
        expect(body.counter).toBeGreaterThan(lastAccepted.get(key) ?? -1);
        lastAccepted.set(key, body.counter);
      });
    }
    let counter = 0;
    for (let t = 0; t < 3_000; t += 5) {
      bus.runUntil(t);
      // Node c restarts at t = 1500 with a new incarnation; its old datagrams are still in flight.
      // Slow the network just before c restarts, so c's old datagrams are still in flight well after
      // its new incarnation is heard.
      if (t === 1_400) bus.setDelay(200, 300);
      if (t === 1_500) {
        bus.setDelay(0, 60);
        codecs.set('c', makeCodec('c'));
        // A restarted process remembers nothing: what c hears starts afresh too.
        for (const key of [...lastAccepted.keys()]) {
          if (key.endsWith('<-c') || key.startsWith('c<-')) lastAccepted.delete(key);
        }
      }
      for (const name of names)
        bus
          .endpoint(name)
          .broadcast(codecs.get(name)?.encode({ counter: counter++ }) ?? new Uint8Array());
    }
    bus.drain();
    const rejected = (code: 'replay' | 'own-message' | 'stale-incarnation'): number =>
      [...codecs.values()].reduce((sum, c) => sum + c.stats.rejected[code], 0);
    expect(accepted).toBeGreaterThan(500);
    expect(rejected('own-message')).toBeGreaterThan(0);
    expect(rejected('replay')).toBeGreaterThan(0); // duplicates and reordering
    expect(rejected('stale-incarnation')).toBeGreaterThan(0); // c's pre-restart datagrams
  });
});
