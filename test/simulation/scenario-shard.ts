/**
 * Random deterministic simulation scenarios, split into shards so that they run on every core.
 *
 * - `SIM_SCENARIOS` (default 1000): how many scenarios in all the shards together.
 * - `SIM_BASE_SEED` (default 1): the first seed; `SIM_BASE_SEED=random` draws one (printed).
 * - `SIM_SEED`: replay exactly one scenario (only in shard 0).
 * - `SIM_DURATION_MS` (default 90000): the faulty, busy part of each scenario.
 * - `SIM_ASSIGNER`: one dispatch strategy for every scenario (default: each scenario draws one).
 * A failing scenario prints its seed and the events that led to it.
 */
import { describe, expect, it } from 'vitest';
import { describeFailure, runScenario } from '../../src/testing/sim-scenario.js';

const env = process.env;

export function defineScenarioShard(shard: number, shards: number): void {
  const total = Number(env['SIM_SCENARIOS'] ?? 1000);
  const base =
    env['SIM_BASE_SEED'] === 'random'
      ? Math.floor(Math.random() * 1e9)
      : Number(env['SIM_BASE_SEED'] ?? 1);
  const durationMs = Number(env['SIM_DURATION_MS'] ?? 90_000);
  const replay = env['SIM_SEED'];
  const assigner = env['SIM_ASSIGNER'];
  const seeds =
    replay !== undefined
      ? shard === 0
        ? [Number(replay)]
        : []
      : Array.from({ length: total }, (_, i) => base + i).filter((_, i) => i % shards === shard);

  describe(`random scenarios, shard ${shard + 1}/${shards} (seeds from ${base})`, () => {
    it.runIf(seeds.length > 0)(
      `${seeds.length} scenarios: 1-5 elevators, 2-10 floors, every dispatch strategy, loss up to 80%, crashes, disconnects, motor and door faults`,
      () => {
        const failures: string[] = [];
        let virtualMs = 0;
        for (const seed of seeds) {
          const result = runScenario(seed, {
            durationMs,
            ...(assigner !== undefined && { assigner }),
            timings: { broadcastIntervalMs: 100 },
          });
          virtualMs += result.virtualMs;
          if (result.violations.length > 0) failures.push(describeFailure(result));
          if (failures.length >= 3) break;
        }
        console.log(
          `shard ${shard + 1}/${shards}: ${seeds.length} scenarios, ${Math.round(virtualMs / 60_000)} simulated minutes, ${failures.length} failed`,
        );
        expect(failures.join('\n\n')).toBe('');
      },
      1_800_000,
    );
  });
}
