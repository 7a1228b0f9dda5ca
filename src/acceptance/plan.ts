/**
 * The plan of a run: the seeded random presses and the fault actions (start and lift), as one
 * time-ordered list. Pure and deterministic: the same scenario gives the same plan.
 */
import type { ButtonType } from '../core/types.js';
import type { Fault, Scenario } from './scenario.js';
import { elevatorIds } from './scenario.js';

/** One thing the harness does at `at` ms after the start of traffic. */
export type PlanStep =
  | { at: number; type: 'press'; elevator: string; button: ButtonType; floor: number }
  | { at: number; type: 'fault-start'; index: number; fault: Fault }
  | { at: number; type: 'fault-lift'; index: number; fault: Fault };

/** A small seeded generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the plan of a scenario. */
export function buildPlan(s: Scenario): PlanStep[] {
  const random = seeded(s.seed);
  const ids = elevatorIds(s.building.elevators);
  const floors = s.building.floors;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const steps: PlanStep[] = [];
  const end = s.traffic.durationS * 1000;
  // Exponential gaps: presses arrive as a Poisson process of the given mean interval.
  for (let at = -Math.log(1 - random()) * s.traffic.meanIntervalS * 1000; at < end;) {
    const elevator = pick(ids);
    const floor = Math.floor(random() * floors);
    let button: ButtonType;
    if (random() < s.traffic.hallShare) {
      button =
        floor === 0
          ? 'hallUp'
          : floor === floors - 1
            ? 'hallDown'
            : random() < 0.5
              ? 'hallUp'
              : 'hallDown';
    } else button = 'cab';
    steps.push({ at: Math.round(at), type: 'press', elevator, button, floor });
    at += -Math.log(1 - random()) * s.traffic.meanIntervalS * 1000;
  }
  s.faults.forEach((fault, index) => {
    steps.push({ at: Math.round(fault.at * 1000), type: 'fault-start', index, fault });
    if (fault.kind !== 'kill-controller') {
      steps.push({
        at: Math.round((fault.at + fault.durationS) * 1000),
        type: 'fault-lift',
        index,
        fault,
      });
    }
  });
  // Stable sort: at equal times, presses first, then fault actions in file order.
  return steps.sort((a, b) => a.at - b.at);
}

/** A short label for a fault ("loss 20% both on e1", "disconnect e2 (link-down)"). */
export function faultLabel(f: Fault): string {
  switch (f.kind) {
    case 'loss':
      return `loss ${Math.round(f.rate * 100)}% per ${f.lossMode} ${f.direction} on ${f.target}`;
    case 'disconnect':
      return `disconnect ${f.target} (${f.method})`;
    case 'kill-controller':
      return `kill -9 controller ${f.target}`;
    case 'power-cycle':
      return `power cycle ${f.target}${f.wipeState ? ' (empty disk)' : ''}`;
    case 'motor-power':
      return `motor power off ${f.target}`;
    case 'obstruction':
      return `obstruction ${f.target}`;
  }
}
