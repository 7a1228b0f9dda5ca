/**
 * One timer for a process's periodic work.
 *
 * Every timer with its own phase is its own wakeup of an idle process, and a wakeup costs far more
 * than the work most callbacks do: on the 2-core VM this project is measured on, a Node process
 * that does nothing but wake every 10 ms spends 1.3-1.7% of a core (a C program doing the same,
 * 0.3%). A controller node has three periodic jobs (the driver's poll, the control loop's tick, the
 * broadcast); on one heartbeat they wake the process once per beat instead of at three phases.
 *
 * A job of period `p` runs on the first beat at or after it is due, due times advancing by `p`
 * from the beat it was added on, with half a beat of tolerance: a period that is not a multiple of
 * the beat keeps its mean rate (25 ms on a 10 ms beat runs 30, 20, 30, 20 ms apart), and a period
 * shorter than the beat runs on every beat. Due times are counted in beats, not read from a clock:
 * a stalled process gets one late beat (Node does not repeat missed intervals), so each job runs
 * at most once for it, never in a burst.
 *
 * A job that throws does not keep the other jobs of the beat from running; the first error is
 * rethrown after them, as a throwing timer callback would be.
 */

/** The timer functions (injectable for tests). */
export interface HeartbeatTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const NODE_TIMERS: HeartbeatTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

interface Job {
  readonly fn: () => void;
  /** The period in beats (may be fractional). */
  readonly beats: number;
  /** The beat count at which it is next due. */
  due: number;
}

export class Heartbeat {
  readonly beatMs: number;
  readonly #timers: HeartbeatTimers;
  readonly #jobs = new Set<Job>();
  #handle: unknown;
  /** Beats since the heartbeat was made. */
  #beat = 0;

  constructor(beatMs: number, timers: HeartbeatTimers = NODE_TIMERS) {
    if (!Number.isFinite(beatMs) || beatMs <= 0)
      throw new RangeError(`heartbeat period must be a positive number of ms, got ${beatMs}`);
    this.beatMs = beatMs;
    this.#timers = timers;
  }

  /** Beats so far. */
  get beats(): number {
    return this.#beat;
  }

  /** Jobs running on it. */
  get size(): number {
    return this.#jobs.size;
  }

  /**
   * Runs `fn` every `periodMs` (quantised to beats, see the module comment), first one period from
   * now. Returns the function that stops it; the timer itself runs only while some job does.
   */
  every(periodMs: number, fn: () => void): () => void {
    if (!Number.isFinite(periodMs) || periodMs <= 0)
      throw new RangeError(`job period must be a positive number of ms, got ${periodMs}`);
    const beats = periodMs / this.beatMs;
    const job: Job = { fn, beats, due: this.#beat + beats };
    this.#jobs.add(job);
    if (this.#handle === undefined)
      this.#handle = this.#timers.setInterval(() => this.#onBeat(), this.beatMs);
    return () => {
      this.#jobs.delete(job);
      if (this.#jobs.size === 0 && this.#handle !== undefined) {
        this.#timers.clearInterval(this.#handle);
        this.#handle = undefined;
      }
    };
  }

  #onBeat(): void {
    const beat = ++this.#beat;
    let failure: { error: unknown } | undefined;
    for (const job of [...this.#jobs]) {
      if (!this.#jobs.has(job) || beat < job.due - 0.5) continue;
      // Due again one period later (a period under a beat: every beat, without falling behind).
      job.due = Math.max(job.due + job.beats, beat);
      try {
        job.fn();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
