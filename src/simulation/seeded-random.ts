/**
 * A small, fast, seeded pseudo-random generator for deterministic simulations and tests.
 *
 * The algorithm is a 32-bit Weyl sequence (golden-ratio increment) passed through a
 * murmur3-style avalanche finalizer: every state is visited once per 2^32 steps and the output
 * is well mixed, which is plenty for scheduling packet loss and delays. Not for cryptography.
 */
export class SeededRandom {
  /** The seed this generator started from (print it so a failing run can be replayed). */
  readonly seed: number;
  #state: number;

  /** @param seed any number; only its low 32 bits are used. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** An integer in [0, n) for a positive integer `n` (at most 2^32). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x1_0000_0000) {
      throw new RangeError(`int(n) needs an integer 1..2^32, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /** A float uniformly distributed in [min, max] (returns `min` when they are equal). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability `p` (p <= 0 is never, p >= 1 is always; no draw is wasted then). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty array');
    return items[this.int(items.length)] as T;
  }

  /**
   * An independent generator seeded from this one's stream, so that one component's draws do
   * not shift another's (adding a draw in the network model must not change the traffic model).
   */
  fork(): SeededRandom {
    // XOR with a constant so the child's sequence is not this one's shifted by one step.
    return new SeededRandom(this.uint32() ^ 0x5bd1e995);
  }
}

/**
 * The seed for a randomized test: `SEED` from the environment when set (to replay a failure),
 * otherwise a fresh one. Tests put it in their title or failure message.
 */
export function testSeed(env: Record<string, string | undefined> = process.env): number {
  const fromEnv = env['SEED'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed = Number(fromEnv);
    if (Number.isFinite(parsed)) return parsed >>> 0;
  }
  return Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
}
