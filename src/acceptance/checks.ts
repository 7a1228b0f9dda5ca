/**
 * The acceptance checks: pure functions of a {@link RunRecord}. The record's observations (door
 * visits, lamps, services, presses and faults: `observations.ts`, where the terms are defined)
 * are derived once; each rule below judges them and returns its violations; {@link checkRun}
 * runs the list of rules ({@link RULES}).
 */
import type { RunRecord } from './run-record.js';
import type { PeerFlapResult } from './peer-flaps.js';
import type {
  DoorVisit,
  FaultResult,
  LampSpan,
  Observations,
  PressResult,
  Service,
} from './observations.js';
import { inCrash, justification, observe, quietIntervals } from './observations.js';

/** A broken rule. `severity: 'warning'` is reported but does not fail the run. */
export interface Violation {
  rule: string;
  at: number;
  elevator?: string;
  detail: string;
  severity: 'error' | 'warning';
}

export interface CheckResult {
  violations: Violation[];
  presses: PressResult[];
  services: Service[];
  doors: DoorVisit[];
  lamps: LampSpan[];
  faults: FaultResult[];
  /** Peer-lost events per node against the loss arithmetic (absent: not recorded). */
  peers?: PeerFlapResult[];
}

/** One rule: the violations of it in a run's observations. */
export type Rule = (seen: Observations) => Violation[];

/** Every lamp that goes off is explained by a car at its floor with the door open. */
export function lightOffWithoutService({ record, doors, lamps }: Observations): Violation[] {
  const out: Violation[] = [];
  for (const span of lamps) {
    if (span.off === null || justification(record, doors, span)) continue;
    const off = span.off;
    const crash = inCrash(record, span.elevator, span.on, off);
    out.push({
      rule: 'light off without service',
      at: off,
      elevator: span.elevator,
      detail: `${span.button} lamp at floor ${span.floor} on ${span.elevator}'s panel went off (lit since ${fmt(span.on)}) with no car at the floor with its door open${crash ? ' (while that controller was restarting)' : ''}`,
      severity: crash ? 'warning' : 'error',
    });
  }
  return out;
}

/**
 * Two rules on each press: it lights its lamp (or a car opens there at once), and a call that lit
 * is served ("no call is lost"). One walk over the presses, so that the violations of presses at
 * the same instant stay in the order of the presses.
 */
export function pressesLightAndAreServed({ record, presses }: Observations): Violation[] {
  const out: Violation[] = [];
  for (const r of presses) {
    const p = r.press;
    if (r.outcome === 'not-lit') {
      out.push({
        rule: 'press lights its lamp',
        at: p.t,
        elevator: p.elevator,
        detail: `${p.button} at floor ${p.floor} pressed on ${p.elevator} at ${fmt(p.t)}: the lamp did not come on within ${record.bounds.lightBoundMs} ms and no car opened there`,
        severity: 'error',
      });
    }
    if ((r.outcome === 'lit' || r.outcome === 'already-lit') && r.servedAt === null) {
      out.push({
        rule: 'no call is lost',
        at: p.t,
        elevator: p.elevator,
        detail: `${p.button} at floor ${p.floor} pressed on ${p.elevator} at ${fmt(p.t)}, lit at ${fmt(r.litAt ?? p.t)}, never served`,
        severity: 'error',
      });
    }
  }
  return out;
}

/** At the end, every lamp is off. */
export function allLightsOffAtEnd({ record, lamps }: Observations): Violation[] {
  return lamps
    .filter((span) => span.off === null)
    .map((span) => ({
      rule: 'all lights off at the end',
      at: record.end,
      elevator: span.elevator,
      detail: `${span.button} lamp at floor ${span.floor} on ${span.elevator}'s panel still on at the end (lit at ${fmt(span.on)})`,
      severity: 'error',
    }));
}

/** The door is never open while the car moves (one violation per stretch). */
export function doorClosedWhileMoving({ byElevator }: Observations): Violation[] {
  const out: Violation[] = [];
  for (const [elevator, list] of byElevator) {
    let bad = false;
    for (const s of list) {
      const moving = s.panel.door && s.panel.motor !== 'stop' && s.panel.motorPower;
      if (moving && !bad) {
        out.push({
          rule: 'door closed while moving',
          at: s.t,
          elevator,
          detail: `${elevator}'s door lamp is on while its motor drives ${s.panel.motor}`,
          severity: 'error',
        });
      }
      bad = moving;
    }
  }
  return out;
}

/** The door stays open long enough. */
export function doorStaysOpen({ record, doors }: Observations): Violation[] {
  const { bounds } = record;
  const out: Violation[] = [];
  for (const d of doors) {
    if (d.cut || d.end - d.start >= bounds.doorOpenMs - bounds.toleranceMs) continue;
    const crash = inCrash(record, d.elevator, d.start, d.end);
    out.push({
      rule: 'door stays open',
      at: d.start,
      elevator: d.elevator,
      detail: `${d.elevator}'s door was open ${Math.round(d.end - d.start)} ms at floor ${String(d.floor)} (at least ${bounds.doorOpenMs} ms expected)${crash ? ' (its controller was restarting)' : ''}`,
      severity: crash ? 'warning' : 'error',
    });
  }
  return out;
}

/**
 * One arrival never clears both directions (judged only where the car is the only one standing
 * open at that floor, so the clears are surely its own).
 */
export function oneDirectionPerArrival({ record, services }: Observations): Violation[] {
  const { bounds } = record;
  const out: Violation[] = [];
  for (const a of services) {
    if (a.button !== 'hallUp' || a.ambiguous) continue;
    const b = services.find(
      (s) =>
        s.button === 'hallDown' &&
        !s.ambiguous &&
        s.elevator === a.elevator &&
        s.floor === a.floor &&
        Math.abs(s.t - a.t) < bounds.doorOpenMs - bounds.toleranceMs,
    );
    if (b) {
      out.push({
        rule: 'one direction per arrival',
        at: Math.min(a.t, b.t),
        elevator: a.elevator,
        detail: `${a.elevator} cleared both hall lamps at floor ${a.floor} ${Math.round(Math.abs(b.t - a.t))} ms apart (less than one door period)`,
        severity: 'error',
      });
    }
  }
  return out;
}

/** Under normal conditions (outside every fault and its settling), every panel shows the same hall lamps. */
export function hallLightsAgree({ record, disagreements }: Observations): Violation[] {
  const { bounds } = record;
  const quiet = quietIntervals(record);
  const out: Violation[] = [];
  for (const d of disagreements) {
    for (const [q0, q1] of quiet) {
      const a = Math.max(d.start, q0);
      const b = Math.min(d.end, q1);
      if (b - a > bounds.agreeBoundMs) {
        out.push({
          rule: 'hall lights agree',
          at: a,
          detail: `panels disagreed on ${d.button} at floor ${d.floor} for ${Math.round(b - a)} ms with no fault active (bound ${bounds.agreeBoundMs} ms)`,
          severity: 'error',
        });
        break;
      }
    }
  }
  return out;
}

/** Recovery comes within seconds: takeover, the probe's reassignment, lights agreeing again. */
export function recoveryWithinSeconds({ record, faults }: Observations): Violation[] {
  const { bounds } = record;
  const late = (ms: number | null): boolean => ms !== null && ms > bounds.recoveryMs;
  return faults
    .filter((f) => late(f.takeoverMs) || late(f.agreeAgainMs) || late(f.probeMs))
    .map((f) => ({
      rule: 'recovery within seconds',
      at: f.fault.start,
      elevator: f.fault.target,
      detail: `after ${f.fault.label}: pending hall calls served after ${String(f.takeoverMs)} ms, probe served after ${String(f.probeMs)} ms, lights agreed ${String(f.agreeAgainMs)} ms after it was lifted (bound ${Math.round(bounds.recoveryMs)} ms)`,
      severity: 'error',
    }));
}

/** Peers flap no more than the loss explains (the one check from the controllers' logs). */
export function peersStayUpUnderLoss({ record, peers }: Observations): Violation[] {
  return (peers ?? [])
    .filter((p) => p.peerLost > p.bound)
    .map((p) => ({
      rule: 'peers stay up under loss',
      at: record.peerLost?.find((e) => e.elevator === p.elevator)?.t ?? 0,
      elevator: p.elevator,
      detail: `${p.elevator} declared a peer lost ${p.peerLost} times; the loss rates explain ${p.expected} (bound ${p.bound}): its peers' datagrams are lost far more often than one frame each would be`,
      severity: 'error',
    }));
}

/**
 * Every rule, in the order their violations are listed when they happen at the same instant
 * (the violations are sorted by time, a stable sort).
 */
export const RULES: readonly Rule[] = [
  lightOffWithoutService,
  pressesLightAndAreServed,
  allLightsOffAtEnd,
  doorClosedWhileMoving,
  doorStaysOpen,
  oneDirectionPerArrival,
  hallLightsAgree,
  recoveryWithinSeconds,
  peersStayUpUnderLoss,
];

/** Runs every check on a record. */
export function checkRun(record: RunRecord): CheckResult {
  const seen = observe(record);
  const violations = RULES.flatMap((rule) => rule(seen)).sort((a, b) => a.at - b.at);
  const { presses, services, doors, lamps, faults, peers } = seen;
  return { violations, presses, services, doors, lamps, faults, ...(peers ? { peers } : {}) };
}

function fmt(t: number): string {
  return `${(t / 1000).toFixed(2)} s`;
}
