import { describe, expect, it } from 'vitest';
import { SeededRandom, testSeed } from './seeded-random.js';

describe('SeededRandom', () => {
  it('replays the same sequence from the same seed, and a different one from another seed', () => {
    const draw = (seed: number): number[] => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 100 }, () => r.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });

  it('is roughly uniform: int(10) buckets within 5% of expected over 100,000 draws', () => {
    const r = new SeededRandom(testSeed());
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const k = r.int(10);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('chance(p) hits about p of the time; 0 never and 1 always', () => {
    const r = new SeededRandom(testSeed());
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (r.chance(0.3)) hits++;
    expect(Math.abs(hits / 100_000 - 0.3)).toBeLessThan(0.01);
    for (let i = 0; i < 1_000; i++) {
      expect(r.chance(0)).toBe(false);
      expect(r.chance(1)).toBe(true);
    }
  });

  it('pick covers every element; fork gives an independent, reproducible stream', () => {
    const r = new SeededRandom(7);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(r.pick(['a', 'b', 'c']));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => r.pick([])).toThrow(RangeError);
    const parentA = new SeededRandom(9);
    const parentB = new SeededRandom(9);
    const childA = parentA.fork();
    const childB = parentB.fork();
    expect(childA.uint32()).toBe(childB.uint32());
    // Drawing from the child does not move the parent.
    for (let i = 0; i < 10; i++) childA.uint32();
    expect(parentA.uint32()).toBe(parentB.uint32());
    expect(childA.seed).not.toBe(parentA.seed);
  });

  it('rejects int() of a non-positive or non-integer bound', () => {
    const r = new SeededRandom(1);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
  });

  it('testSeed takes SEED from the environment to replay a run', () => {
    expect(testSeed({ SEED: '1234' })).toBe(1234);
    const fresh = testSeed({});
    expect(Number.isInteger(fresh) && fresh >= 0 && fresh < 2 ** 32).toBe(true);
  });
});
