import { describe, expect, it } from 'vitest';
import type { TrafficPattern } from './traffic.js';
import { TRAFFIC_PATTERNS, generateTraffic, nominalCapacityPerMinute } from './traffic.js';

const timings = { floorMs: 2500, doorMs: 3000 };

function traffic(pattern: TrafficPattern, seed: number, intensity = 1) {
  return generateTraffic({
    pattern,
    cars: 4,
    floors: 10,
    intensity,
    durationMs: 4 * 3_600_000,
    seed,
    timings,
  });
}

describe('traffic', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(traffic('lunch', 3)).toEqual(traffic('lunch', 3));
    expect(traffic('lunch', 4)).not.toEqual(traffic('lunch', 3));
  });

  for (const pattern of TRAFFIC_PATTERNS) {
    it(`${pattern}: sorted trips inside the building, at the requested Poisson rate`, () => {
      const ps = traffic(pattern, 11, 0.5);
      for (const [i, p] of ps.entries()) {
        expect(p.origin).not.toBe(p.destination);
        expect(p.origin).toBeGreaterThanOrEqual(0);
        expect(p.destination).toBeLessThan(10);
        if (i > 0) expect(p.time).toBeGreaterThanOrEqual(ps[i - 1]!.time);
      }
      const expected = 0.5 * nominalCapacityPerMinute(pattern, 4, 10, timings) * 240;
      // Poisson: the count is within a few standard deviations (sqrt(expected)).
      expect(Math.abs(ps.length - expected)).toBeLessThan(4 * Math.sqrt(expected));
    });
  }

  it('up-peak starts mostly at the lobby, down-peak ends mostly there', () => {
    const up = traffic('up-peak', 5);
    const down = traffic('down-peak', 5);
    expect(up.filter((p) => p.origin === 0).length / up.length).toBeGreaterThan(0.8);
    expect(down.filter((p) => p.destination === 0).length / down.length).toBeGreaterThan(0.8);
  });

  it('capacity: one trip per car per (2 doors + 2 mean rides)', () => {
    // Interfloor in 10 floors: mean ride (10 + 1) / 3 floors.
    const trip = 2 * 3000 + 2 * 2500 * (11 / 3);
    expect(nominalCapacityPerMinute('interfloor', 4, 10, timings)).toBeCloseTo((4 * 60_000) / trip);
  });
});
