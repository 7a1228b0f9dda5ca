/**
 * Scenario files: validation with clear messages, the shipped set (valid, and covering every
 * fault kind, the CI subset too), the timings at a physics speed, and the deterministic plan.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/acceptance/plan.js';
import type { Scenario } from '../../src/acceptance/scenario.js';
import {
  FAULT_KINDS,
  ScenarioError,
  loadScenario,
  parseScenario,
  timingsAt,
} from '../../src/acceptance/scenario.js';

const DIR = join(import.meta.dirname, '..', '..', 'acceptance', 'scenarios');
const minimal = {
  name: 'x',
  building: { elevators: 3, floors: 4 },
  traffic: { durationS: 10, meanIntervalS: 1 },
};

async function shipped(): Promise<Scenario[]> {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map((f) => loadScenario(join(DIR, f))));
}

describe('scenarios', () => {
  it('applies defaults to a minimal scenario', () => {
    const s = parseScenario(minimal);
    expect(s).toMatchObject({ seed: 1, physics: { speed: 1 }, faults: [], drainS: 45, tags: [] });
  });

  it('names every bad field in one error', () => {
    const bad = {
      ...minimal,
      building: { elevators: 0, floors: 4 },
      faults: [
        { kind: 'loss', at: 1, durationS: 2, target: 'e9', rate: 2 },
        { kind: 'meteor', at: 1 },
      ],
    };
    let error: unknown;
    try {
      parseScenario(bad, 'bad.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const e = error as ScenarioError;
    expect(e.code).toBe('invalid');
    expect(e.message).toContain('bad.json is not a valid scenario');
    expect(e.message).toContain('building.elevators');
    expect(e.message).toContain('faults.0.rate');
    expect(e.message).toContain('faults.1');
  });

  it('loses frames by default; per datagram on request; nothing else', () => {
    const loss = { kind: 'loss', at: 1, durationS: 2, target: 'all', rate: 0.2 };
    expect(parseScenario({ ...minimal, faults: [loss] }).faults[0]).toMatchObject({
      lossMode: 'frame',
      direction: 'both',
    });
    expect(
      parseScenario({ ...minimal, faults: [{ ...loss, lossMode: 'datagram' }] }).faults[0],
    ).toMatchObject({ lossMode: 'datagram' });
    expect(() => parseScenario({ ...minimal, faults: [{ ...loss, lossMode: 'packet' }] })).toThrow(
      /faults\.0\.lossMode/,
    );
  });

  it('refuses a fault on an elevator the building does not have, and unknown keys', () => {
    expect(() =>
      parseScenario({
        ...minimal,
        faults: [{ kind: 'obstruction', at: 1, durationS: 2, target: 'e4' }],
      }),
    ).toThrow(/no elevator "e4" in this building/);
    expect(() => parseScenario({ ...minimal, colour: 'red' })).toThrow(/colour/);
  });

  it('reports unreadable and non-JSON files with their own codes', async () => {
    await expect(loadScenario('/nonexistent/x.json')).rejects.toMatchObject({ code: 'unreadable' });
    await expect(loadScenario(import.meta.filename)).rejects.toMatchObject({ code: 'not-json' });
  });

  it('ships valid scenarios that cover every fault kind, and a CI set that does too', async () => {
    const all = await shipped();
    const kinds = (list: Scenario[]): Set<string> =>
      new Set(list.flatMap((s) => s.faults.map((f) => f.kind)));
    expect([...kinds(all)].sort()).toEqual([...FAULT_KINDS].sort());
    const ci = all.filter((s) => s.tags.includes('ci'));
    expect([...kinds(ci)].sort()).toEqual([...FAULT_KINDS].sort());
    // CI stays short: fast physics, under a minute of traffic each.
    for (const s of ci) {
      expect(s.physics.speed).toBeGreaterThanOrEqual(2);
      expect(s.traffic.durationS).toBeLessThanOrEqual(60);
    }
    // Requirements §2: loss in and out, on one node and on all, 20% and 50%; a long obstruction.
    const losses = all.flatMap((s) => s.faults.filter((f) => f.kind === 'loss'));
    for (const rate of [0.2, 0.5]) {
      for (const target of ['all', 'one']) {
        expect(
          losses.some((f) => f.rate === rate && (target === 'all') === (f.target === 'all')),
        ).toBe(true);
      }
    }
    expect(losses.some((f) => f.direction === 'in')).toBe(true);
    expect(losses.some((f) => f.direction === 'out')).toBe(true);
    // Both loss modes are shipped; CI has per-frame loss on a building larger than 3 x 4, and
    // the full set has the lab's largest building at 20% and 50% per frame both ways.
    expect(new Set(losses.map((f) => f.lossMode))).toEqual(new Set(['frame', 'datagram']));
    expect(
      ci.some(
        (s) =>
          s.building.elevators * s.building.floors > 12 &&
          s.faults.some((f) => f.kind === 'loss' && f.lossMode === 'frame'),
      ),
    ).toBe(true);
    for (const rate of [0.2, 0.5]) {
      expect(
        all.some(
          (s) =>
            s.building.elevators >= 9 &&
            s.building.floors >= 20 &&
            s.faults.some(
              (f) =>
                f.kind === 'loss' &&
                f.lossMode === 'frame' &&
                f.rate === rate &&
                f.direction === 'both' &&
                f.target === 'all' &&
                f.at > 0,
            ),
        ),
        `a 9 x 20 building with ${rate * 100}% loss per frame after a warm-up`,
      ).toBe(true);
    }
    expect(
      all.some((s) => s.faults.some((f) => f.kind === 'obstruction' && f.durationS >= 10)),
    ).toBe(true);
  });

  it('scales the elevator timings with the physics speed', () => {
    expect(timingsAt(1)).toMatchObject({ travelMs: 2000, doorOpenMs: 3000, peerTimeoutMs: 800 });
    expect(timingsAt(2)).toMatchObject({ travelMs: 1000, doorOpenMs: 1500, motorTimeoutMs: 2000 });
    expect(timingsAt(4).peerTimeoutMs).toBe(300); // floor: a busy machine must not see flapping
  });

  it('builds the same plan from the same seed, with valid buttons and time-ordered steps', () => {
    const s = parseScenario({
      ...minimal,
      seed: 42,
      traffic: { durationS: 60, meanIntervalS: 0.5 },
      faults: [{ kind: 'motor-power', at: 5, durationS: 3, target: 'e2' }],
    });
    const plan = buildPlan(s);
    expect(buildPlan(s)).toEqual(plan);
    expect(plan.map((p) => p.at)).toEqual([...plan.map((p) => p.at)].sort((a, b) => a - b));
    const presses = plan.filter((p) => p.type === 'press');
    expect(presses.length).toBeGreaterThan(60);
    for (const p of presses) {
      expect(p.floor).toBeGreaterThanOrEqual(0);
      expect(p.floor).toBeLessThan(4);
      if (p.button === 'hallUp') expect(p.floor).not.toBe(3);
      if (p.button === 'hallDown') expect(p.floor).not.toBe(0);
    }
    expect(plan.filter((p) => p.type !== 'press').map((p) => [p.type, p.at])).toEqual([
      ['fault-start', 5000],
      ['fault-lift', 8000],
    ]);
  });
});
