/**
 * How many peer datagrams the node is willing to decode, per source and in total: token buckets
 * refilled with the passage of (injected) time. Decoding and authenticating one datagram costs tens
 * of microseconds; a flood of ten thousand a second would otherwise eat most of a core and starve
 * the control loop (and with it the polling that catches short button presses). A peer sends a few
 * dozen datagrams a second, far below the per-source budget, so honest traffic is never limited
 * unless the whole budget is exhausted by a flood from many (spoofed) sources.
 */

export interface DatagramBudgetOptions {
  /** Sustained datagrams per second from one source (address:port). */
  perSourcePerSecond: number;
  /** Datagrams one source may send at once after a quiet period. */
  perSourceBurst: number;
  /** Sustained datagrams per second from all sources together. */
  totalPerSecond: number;
  totalBurst: number;
  /** Sources remembered at most; the least recently seen is forgotten first. */
  maxSources: number;
}

/**
 * Defaults: 300/s per source (ten peers on one loopback address at 30/s), 1500/s in total. An
 * accepted message costs up to about a millisecond (the assigner runs with every peer's report), a
 * rejected one tens of microseconds, so one flooding source takes at most about a quarter of a core.
 */
export const DEFAULT_DATAGRAM_BUDGET: DatagramBudgetOptions = {
  perSourcePerSecond: 300,
  perSourceBurst: 300,
  totalPerSecond: 1500,
  totalBurst: 600,
  maxSources: 256,
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Admits or refuses datagrams against per-source and total budgets. Pure: time is passed in. */
export class DatagramBudget {
  readonly #options: DatagramBudgetOptions;
  readonly #sources = new Map<string, Bucket>();
  readonly #total: Bucket;

  constructor(options: Partial<DatagramBudgetOptions> = {}) {
    this.#options = { ...DEFAULT_DATAGRAM_BUDGET, ...options };
    this.#total = { tokens: this.#options.totalBurst, at: Number.NEGATIVE_INFINITY };
  }

  /** Whether a datagram from `source` at time `nowMs` may be decoded (and, if so, charges it). */
  admit(source: string, nowMs: number): boolean {
    const o = this.#options;
    let bucket = this.#sources.get(source);
    if (bucket === undefined) {
      if (this.#sources.size >= o.maxSources) {
        const oldest = this.#sources.keys().next();
        if (oldest.done !== true) this.#sources.delete(oldest.value);
      }
      bucket = { tokens: o.perSourceBurst, at: nowMs };
    } else {
      // Re-inserted below, so iteration order stays least-recently-seen first.
      this.#sources.delete(source);
    }
    this.#sources.set(source, bucket);
    refill(bucket, nowMs, o.perSourcePerSecond, o.perSourceBurst);
    refill(this.#total, nowMs, o.totalPerSecond, o.totalBurst);
    if (bucket.tokens < 1 || this.#total.tokens < 1) return false;
    bucket.tokens -= 1;
    this.#total.tokens -= 1;
    return true;
  }

  /** Number of sources remembered. */
  get sources(): number {
    return this.#sources.size;
  }
}

function refill(bucket: Bucket, nowMs: number, perSecond: number, burst: number): void {
  const elapsed = nowMs - bucket.at;
  if (elapsed > 0) bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000);
  if (elapsed > 0 || !Number.isFinite(bucket.at)) bucket.at = nowMs;
}
