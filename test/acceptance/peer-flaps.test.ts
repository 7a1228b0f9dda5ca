/**
 * The peer-flapping arithmetic and the parsing of the nodes' peer-lost log lines.
 */
import { describe, expect, it } from 'vitest';
import {
  expectedPeerLosses,
  parsePeerLost,
  peerLostBound,
  runLengthForLoss,
} from '../../src/acceptance/peer-flaps.js';
import { SeededRandom, testSeed } from '../../src/simulation/seeded-random.js';

const seed = testSeed();

describe(`peer flapping (seed ${seed})`, () => {
  it('needs one interval less than the timeout holds of consecutive losses', () => {
    expect(runLengthForLoss(800, 30)).toBe(25); // real time: 26 fit in 800 ms, one may be late
    expect(runLengthForLoss(400, 15)).toBe(25); // speed 2 keeps the ratio
    expect(runLengthForLoss(300, 10)).toBe(29);
    expect(runLengthForLoss(10, 30)).toBe(1);
  });

  it('expects (D / I) q p^m events per pair, and none to speak of at 20% loss', () => {
    const p25 = 0.75 ** 25;
    expect(expectedPeerLosses(0.25, 60_000, 800, 30)).toBeCloseTo(2000 * 0.25 * p25 + p25, 10);
    expect(expectedPeerLosses(0.64, 3_600_000, 800, 30)).toBeLessThan(1e-6);
    expect(expectedPeerLosses(1, 60_000, 800, 30)).toBe(0);
    // Per-datagram delivery of a 5-fragment view at 20% per frame both ways: 0.64^5 = 0.107.
    expect(expectedPeerLosses(0.64 ** 5, 60_000, 800, 30)).toBeGreaterThan(10);
  });

  it('matches a simulation of a peer broadcasting every interval over a lossy link', () => {
    // Datagrams every 30 ms, each delivered with q; the receiver declares the peer lost when it
    // has heard nothing for 800 ms, checked at the send slots: the slot 810 ms after the last
    // one heard is the first at or past the timeout, so 27 losses in a row lose the peer. The
    // model's m = 25 leaves slack for late sends and checks, so it over-estimates.
    const random = new SeededRandom(seed);
    const q = 0.2;
    const slots = 400_000; // 200 minutes of virtual time
    let lastHeard = 0;
    let alive = true;
    let lost = 0;
    for (let i = 1; i <= slots; i++) {
      const t = i * 30;
      if (random.chance(q)) {
        lastHeard = t;
        alive = true;
      } else if (alive && t - lastHeard >= 800) {
        alive = false;
        lost += 1;
      }
    }
    const model = expectedPeerLosses(q, slots * 30, 800, 30);
    const exact = slots * q * (1 - q) ** 27;
    expect(Math.abs(lost - exact)).toBeLessThan(4.5 * Math.sqrt(exact) + 2);
    expect(model).toBeGreaterThan(exact);
    expect(lost).toBeLessThanOrEqual(peerLostBound(model));
  });

  it('bounds a Poisson count with room for a rare stall', () => {
    expect(peerLostBound(0)).toBe(3);
    expect(peerLostBound(1)).toBe(8);
    expect(peerLostBound(25)).toBe(48);
  });

  it("reads the nodes' peerLost lines onto the run's clock and skips everything else", () => {
    const log = [
      '{"level":30,"time":1000500,"event":"peerHeard","peer":"e2","msg":"peerHeard"}',
      '{"level":40,"time":1002000,"event":"peerLost","peer":"e2","msg":"peerLost"}',
      'not json, but mentions peerLost',
      '{"level":40,"time":1003000,"event":"peerLost","msg":"peerLost"}',
      '{"level":40,"time":999000,"event":"peerLost","peer":"e3","msg":"peerLost"}',
    ].join('\n');
    expect(parsePeerLost(log, 'e1', 1_000_000)).toEqual([
      { t: 2000, elevator: 'e1', peer: 'e2' },
      { t: -1000, elevator: 'e1', peer: 'e3' },
    ]);
  });
});
