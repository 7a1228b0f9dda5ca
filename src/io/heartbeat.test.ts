import { describe, expect, it } from 'vitest';
import { Heartbeat, type HeartbeatTimers } from './heartbeat.js';

/** A hand-driven interval: `beat()` fires it once. */
function manualTimers() {
  let fn: (() => void) | undefined;
  let started = 0;
  let cleared = 0;
  const timers: HeartbeatTimers = {
    setInterval: (f) => {
      fn = f;
      started++;
      return started;
    },
    clearInterval: () => {
      fn = undefined;
      cleared++;
    },
  };
  return {
    timers,
    beat: () => fn?.(),
    get running() {
      return fn !== undefined;
    },
    get started() {
      return started;
    },
    get cleared() {
      return cleared;
    },
  };
}

/** The beats (1-based) on which a job of `periodMs` runs, over `beats` beats of `beatMs`. */
function runsOf(beatMs: number, periodMs: number, beats: number): number[] {
  const t = manualTimers();
  const hb = new Heartbeat(beatMs, t.timers);
  const runs: number[] = [];
  hb.every(periodMs, () => runs.push(hb.beats));
  for (let i = 0; i < beats; i++) t.beat();
  return runs;
}

describe('Heartbeat', () => {
  it('runs a job whose period is a multiple of the beat on every k-th beat', () => {
    expect(runsOf(10, 10, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(runsOf(10, 20, 8)).toEqual([2, 4, 6, 8]);
    expect(runsOf(10, 30, 9)).toEqual([3, 6, 9]);
  });

  it('keeps the mean rate of a period that is not a multiple of the beat', () => {
    const runs = runsOf(10, 25, 1000);
    expect(runs.length).toBe(400); // 10 s at one run per 25 ms
    const gaps = runs.slice(1).map((r, i) => r - runs[i]!);
    expect(new Set(gaps)).toEqual(new Set([2, 3]));
  });

  it('runs a job shorter than the beat on every beat, without bursts', () => {
    expect(runsOf(10, 3, 4)).toEqual([1, 2, 3, 4]);
  });

  it('wakes once a beat for all its jobs, and only while some job runs', () => {
    const t = manualTimers();
    const hb = new Heartbeat(10, t.timers);
    expect(t.running).toBe(false);
    const order: string[] = [];
    const stopPoll = hb.every(10, () => order.push('poll'));
    const stopTick = hb.every(20, () => order.push('tick'));
    hb.every(30, () => order.push('broadcast'));
    expect(t.started).toBe(1);
    for (let i = 0; i < 6; i++) t.beat();
    expect(order.filter((o) => o === 'poll')).toHaveLength(6);
    expect(order.filter((o) => o === 'tick')).toHaveLength(3);
    expect(order.filter((o) => o === 'broadcast')).toHaveLength(2);
    stopPoll();
    stopTick();
    expect(t.running).toBe(true);
    expect(hb.size).toBe(1);
    order.length = 0;
    for (let i = 0; i < 3; i++) t.beat();
    expect(order).toEqual(['broadcast']);
  });

  it('stops the timer when the last job stops, and starts it again for a new one', () => {
    const t = manualTimers();
    const hb = new Heartbeat(10, t.timers);
    const stop = hb.every(10, () => {});
    stop();
    stop(); // twice is harmless
    expect(t.running).toBe(false);
    expect(t.cleared).toBe(1);
    let runs = 0;
    hb.every(10, () => runs++);
    expect(t.started).toBe(2);
    t.beat();
    expect(runs).toBe(1);
  });

  it('a job added mid-run is first due one period after it was added', () => {
    const t = manualTimers();
    const hb = new Heartbeat(10, t.timers);
    hb.every(10, () => {});
    t.beat();
    t.beat();
    const runs: number[] = [];
    hb.every(30, () => runs.push(hb.beats));
    for (let i = 0; i < 6; i++) t.beat();
    expect(runs).toEqual([5, 8]);
  });

  it('a job that stops another job in the same beat keeps it from running', () => {
    const t = manualTimers();
    const hb = new Heartbeat(10, t.timers);
    let second = 0;
    let stopSecond = (): void => {};
    hb.every(10, () => stopSecond());
    stopSecond = hb.every(10, () => second++);
    t.beat();
    expect(second).toBe(0);
  });

  it('runs every job of a beat even if one throws, then rethrows the first error', () => {
    const t = manualTimers();
    const hb = new Heartbeat(10, t.timers);
    const ran: string[] = [];
    hb.every(10, () => {
      ran.push('a');
      throw new Error('first');
    });
    hb.every(10, () => {
      ran.push('b');
      throw new Error('second');
    });
    hb.every(10, () => ran.push('c'));
    expect(() => t.beat()).toThrow('first');
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('refuses a period that is not a positive number', () => {
    expect(() => new Heartbeat(0)).toThrow(RangeError);
    expect(() => new Heartbeat(Number.NaN)).toThrow(RangeError);
    const hb = new Heartbeat(10, manualTimers().timers);
    expect(() => hb.every(-5, () => {})).toThrow(RangeError);
  });

  it('drives real timers: three jobs on one interval', async () => {
    const hb = new Heartbeat(5);
    let polls = 0;
    let ticks = 0;
    const stops = [hb.every(5, () => polls++), hb.every(10, () => ticks++)];
    await new Promise<void>((resolve) => {
      const stop = hb.every(5, () => {
        if (ticks >= 3) {
          stop();
          resolve();
        }
      });
    });
    for (const s of stops) s();
    expect(polls).toBeGreaterThanOrEqual(6);
    expect(hb.size).toBe(0);
  });
});
