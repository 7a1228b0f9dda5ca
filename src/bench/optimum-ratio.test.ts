/** The benchmark's ratio to the offline optimum: which traces count, and the ratios of one run. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_CONFIG } from './bench-runner.js';
import {
  DEFAULT_OPTIMUM_CONFIG,
  optimumConfigFor,
  runOptimumTrace,
  summariseOptimum,
  type OptimumConfig,
  type OptimumTrace,
} from './optimum-ratio.js';

const config: OptimumConfig = {
  ...DEFAULT_OPTIMUM_CONFIG,
  sizes: [{ cars: 2, floors: 4 }],
  patterns: ['lunch'],
  seeds: [1],
  assigners: ['reference', 'mesh+park'],
  capacity: 8,
};

const trace = (over: Partial<OptimumTrace>): OptimumTrace => ({
  cars: 2,
  floors: 4,
  pattern: 'lunch',
  seed: 1,
  passengers: 3,
  exact: true,
  nodes: 10,
  optimumMs: 10_000,
  totalsMs: { reference: 20_000, 'mesh+park': 15_000 },
  ...over,
});

describe('ratio to the offline optimum', () => {
  it('runs on the sizes the exact search reaches only (at most 3 cars, 4 floors)', () => {
    const c = optimumConfigFor(DEFAULT_BENCH_CONFIG);
    expect(c?.sizes).toEqual([
      { cars: 2, floors: 4 },
      { cars: 3, floors: 4 },
    ]);
    expect(c?.seeds).toEqual(DEFAULT_BENCH_CONFIG.seeds);
    expect(optimumConfigFor({ ...DEFAULT_BENCH_CONFIG, sizes: [{ cars: 16, floors: 50 }] })).toBe(
      null,
    );
  });

  it('averages the ratios over exactly solved traces only, leaving out unserved runs', () => {
    const s = summariseOptimum(config, [
      trace({}),
      trace({ seed: 2, optimumMs: 20_000, totalsMs: { reference: 30_000, 'mesh+park': null } }),
      trace({
        seed: 3,
        exact: false,
        optimumMs: 1,
        totalsMs: { reference: 9e9, 'mesh+park': 9e9 },
      }),
    ]);
    expect(s).toEqual([
      expect.objectContaining({ assigner: 'reference', traces: 3, exact: 2, meanRatio: 1.75 }),
      expect.objectContaining({ assigner: 'mesh+park', traces: 3, exact: 1, meanRatio: 1.5 }),
    ]);
    expect(s[0]).toMatchObject({ minRatio: 1.5, maxRatio: 2 });
  });

  it('solves a real 2x4 trace exactly, and no strategy is below its optimum', () => {
    const t = runOptimumTrace(config, { cars: 2, floors: 4 }, 'lunch', 1);
    expect(t.exact).toBe(true);
    expect(t.passengers).toBeGreaterThan(0);
    for (const name of config.assigners) {
      expect(t.totalsMs[name], name).not.toBeNull();
      expect(t.totalsMs[name]!, name).toBeGreaterThanOrEqual(t.optimumMs);
    }
  });
});
