import { describe, expect, it } from 'vitest';
import type { PassengerRecord, SimTrace } from './building-sim.js';
import { computeRunMetrics, percentile } from './run-metrics.js';

function rec(
  id: number,
  time: number,
  boardAt: number | null,
  alightAt: number | null,
  boundWaitMs = 1000,
): PassengerRecord {
  return {
    id,
    time,
    origin: 0,
    destination: 1,
    boardAt,
    alightAt,
    car: boardAt === null ? null : '1',
    boundWaitMs,
    boundTripMs: boundWaitMs + 5500,
  };
}

describe('run metrics', () => {
  it('computes the figures of a hand-made trace', () => {
    const trace: SimTrace = {
      passengers: [
        rec(0, 500, 9_000, 20_000), // before the window: not measured
        rec(1, 10_000, 20_000, 30_000), // wait 10 s, trip 20 s
        rec(2, 10_000, 40_000, 50_000), // wait 30 s, trip 40 s
        rec(3, 20_000, 90_000, 100_000), // wait 70 s, trip 80 s
        rec(4, 30_000, null, null), // never served: counts until the end (130 s)
        rec(5, 70_000, 71_000, 80_000), // after the window: not measured
      ],
      cars: [
        { id: '1', floorsTravelled: 10, stops: 4 },
        { id: '2', floorsTravelled: 5, stops: 3 },
      ],
      hallCallsPressed: 8,
      flips: 2,
      parkRetargets: 3,
      parkTurnbacks: 1,
      assignCalls: 4,
      assignTotalMs: 2,
      assignMaxMs: 1.5,
      assignDurationsMs: [0.1, 0.2, 1.5, 0.2],
      endMs: 160_000,
    };
    const m = computeRunMetrics(trace, 1000, 60_000);
    expect(m.passengers).toBe(4);
    expect(m.unserved).toBe(1);
    expect(m.avgWaitS).toBeCloseTo((10 + 30 + 70 + 130) / 4);
    expect(m.p95WaitS).toBe(130);
    expect(m.maxWaitS).toBe(130);
    expect(m.over60Share).toBe(0.5);
    expect(m.avgTripS).toBeCloseTo((20 + 40 + 80 + 130) / 4);
    expect(m.boundAvgWaitS).toBe(1);
    expect(m.boundAvgTripS).toBe(6.5);
    expect(m.floorsTravelled).toBe(15);
    expect(m.stops).toBe(7);
    expect(m.flipsPer100Calls).toBe(25);
    expect([m.parkRetargets, m.parkTurnbacks]).toEqual([3, 1]);
    expect(m.assignMeanMs).toBe(0.5);
    expect(m.assignMaxMs).toBe(1.5);
    expect(m.assignP99Ms).toBe(1.5);
  });

  it('percentile is nearest-rank', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 95)).toBe(19);
    expect(percentile(xs, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });
});
