/**
 * What a person at the lab saw during a run, derived once from its {@link RunRecord}: the door
 * visits, the lamps, the services, what became of each press and of each fault. The rules
 * (`checks.ts`) judge these. Pure functions; they use only what a person at the lab sees (lamps,
 * car, door) and the buttons the harness pressed; nothing from inside the controllers.
 *
 * Definitions (all times on the harness clock):
 * - A **door visit** is an interval during which an elevator's door lamp is on; its floor is the
 *   floor sensor when the door opened.
 * - A **service** is a lamp of an elevator's own panel going off while that elevator's door is
 *   open at that lamp's floor (± tolerance). That is what "the car arrived and opened its door,
 *   then the lamp went off" means; for a cab lamp it can only be that elevator.
 * - A hall lamp that goes off on another panel is **justified** by a service of any elevator
 *   between the moment that lamp came on and the moment it went off.
 * - A press **lights** when its lamp comes on within `lightBoundMs`; its **light-on latency** is
 *   lamp on minus press (from the simulators' timestamps). Its **wait** is first service after the
 *   press minus press. A press that lit and was never served is **lost**.
 * - **Quiet** time is time outside every fault window (plus `settleMs` after each): there, hall
 *   lamps of all panels must agree, apart from disagreements shorter than `agreeBoundMs`.
 * - **Takeover** after a fault: for the hall calls lit anywhere when the fault starts, the time
 *   from the fault's start until the last of them is served (by anyone).
 * - **Reassignment** after a fault: the harness presses a probe hall call one floor from the
 *   failed car, on another panel, right after the fault starts; the time from that press to its
 *   service (door open at the floor) is the reassignment time, and who served it is reported.
 * - **Lights agree again**: after a fault is lifted, the time until every panel shows the same
 *   hall lamps. Both must stay under `recoveryMs` ("within seconds").
 * - **Peers stay up under loss**: the one check from inside the controllers (their logs): each
 *   node's peer-lost events stay within what the loss rate explains (`peer-flaps.ts`).
 */
import type { ButtonType } from '../core/types.js';
import type { FaultSpan, Panel, Press, RunRecord, Sample } from './run-record.js';
import { lampOn } from './run-record.js';
import type { PeerFlapResult } from './peer-flaps.js';
import { peerFlaps } from './peer-flaps.js';

/** A door-open interval of one elevator. */
export interface DoorVisit {
  elevator: string;
  floor: number | null;
  start: number;
  end: number;
  /** Still open when observation stopped. */
  cut: boolean;
}

/** One lamp of one panel being on from `on` to `off` (`null`: still on at the end). */
export interface LampSpan {
  elevator: string;
  button: ButtonType;
  floor: number;
  on: number;
  off: number | null;
}

/** A lamp cleared by its own car standing at the floor with the door open. */
export interface Service {
  t: number;
  elevator: string;
  button: ButtonType;
  floor: number;
  /**
   * Another car also stood at that floor with its door open: from outside, either may have
   * cleared the lamp (the other panels mirror it), so the clear is not attributed for sure.
   */
  ambiguous: boolean;
}

export type PressOutcome =
  /** Lamp came on; `servedAt` is set when served. */
  | 'lit'
  /** Lamp was already on when pressed. */
  | 'already-lit'
  /** Not lit, but a car stood at that floor with its door open (served at once). */
  | 'served-at-once'
  /** Not lit while that elevator was in a fault (its panel was dead or cut off). */
  | 'refused-during-fault'
  /** Not lit, for no reason a person could see. */
  | 'not-lit';

export interface PressResult {
  press: Press;
  outcome: PressOutcome;
  litAt: number | null;
  servedAt: number | null;
  servedBy: string | null;
}

export interface FaultResult {
  fault: FaultSpan;
  /** Hall calls lit on some panel when the fault started. */
  pendingHallCalls: number;
  /** Time from the fault's start until all of them were served; `null` when none was pending. */
  takeoverMs: number | null;
  /** Pending hall calls never served. */
  takeoverUnserved: number;
  /** Time from the fault being lifted until all panels show the same hall lamps. */
  agreeAgainMs: number | null;
  /** Time from the probe press to its service (the reassignment time); `null`: no probe/unserved. */
  probeMs: number | null;
  /** Which elevator served the probe. */
  probeServedBy: string | null;
}

const BUTTONS: readonly ButtonType[] = ['hallUp', 'hallDown', 'cab'];

/** Samples grouped per elevator, each list sorted by time. */
export function samplesByElevator(record: RunRecord): Map<string, Sample[]> {
  const m = new Map<string, Sample[]>(record.elevators.map((e) => [e, []]));
  for (const s of record.samples) m.get(s.elevator)?.push(s);
  for (const list of m.values()) list.sort((a, b) => a.t - b.t);
  return m;
}

/** The door visits of every elevator. */
export function doorVisits(record: RunRecord): DoorVisit[] {
  const out: DoorVisit[] = [];
  for (const [elevator, list] of samplesByElevator(record)) {
    let open: { start: number; floor: number | null } | undefined;
    for (const s of list) {
      if (s.panel.door && !open) open = { start: s.t, floor: s.panel.floor };
      else if (!s.panel.door && open) {
        out.push({ elevator, floor: open.floor, start: open.start, end: s.t, cut: false });
        open = undefined;
      }
    }
    if (open) out.push({ elevator, ...open, end: record.end, cut: true });
  }
  return out;
}

/** Every on-interval of every lamp of every panel. */
export function lampSpans(record: RunRecord): LampSpan[] {
  const out: LampSpan[] = [];
  for (const [elevator, list] of samplesByElevator(record)) {
    for (const button of BUTTONS) {
      for (let floor = 0; floor < record.floors; floor++) {
        let on: number | null = null;
        for (const s of list) {
          const lit = lampOn(s.panel, button, floor);
          if (lit && on === null) on = s.t;
          else if (!lit && on !== null) {
            out.push({ elevator, button, floor, on, off: s.t });
            on = null;
          }
        }
        if (on !== null) out.push({ elevator, button, floor, on, off: null });
      }
    }
  }
  return out;
}

function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 <= b1 && b0 <= a1;
}

/** Fault windows that concern `elevator` (targeted at it, or at all). */
function faultsOn(record: RunRecord, elevator: string): FaultSpan[] {
  return record.faults.filter((f) => f.target === elevator || f.target === 'all');
}

function inFault(record: RunRecord, elevator: string, t: number, slack = 0): boolean {
  return faultsOn(record, elevator).some((f) => t >= f.start - slack && t <= f.end + slack);
}

/**
 * Whether a non-loss fault (a pulled cable, a crash, a motor or door fault) concerned `elevator`
 * between `t0` and `t1`, plus settling: its panel may hear of a service late. Packet loss is no
 * such excuse (it is not a failure; a lit call's news still arrives within a second).
 */
function lateNewsExcused(record: RunRecord, elevator: string, t0: number, t1: number): boolean {
  return faultsOn(record, elevator).some(
    (f) => f.kind !== 'loss' && overlaps(t0, t1, f.start, f.end + record.bounds.settleMs),
  );
}

/** Faults that kill the controller (its panel may blink while it restarts). */
export function inCrash(record: RunRecord, elevator: string, t0: number, t1: number): boolean {
  return faultsOn(record, elevator).some(
    (f) =>
      (f.kind === 'kill-controller' || f.kind === 'power-cycle') &&
      overlaps(t0, t1, f.start, f.end),
  );
}

/** The panel of each elevator at time `t` (the last sample at or before it). */
function panelAt(list: Sample[], t: number): Panel | undefined {
  let found: Panel | undefined;
  for (const s of list) {
    if (s.t > t) break;
    found = s.panel;
  }
  return found;
}

/** Intervals of `[0, end]` outside every fault window extended by `settleMs`. */
export function quietIntervals(record: RunRecord): [number, number][] {
  const busy = record.faults
    .map((f) => [f.start, f.end + record.bounds.settleMs] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let from = 0;
  for (const [a, b] of busy) {
    if (a > from) out.push([from, a]);
    from = Math.max(from, b);
  }
  if (from < record.end) out.push([from, record.end]);
  return out;
}

/**
 * For each hall lamp, the intervals during which the panels disagree (some on, some off), from a
 * merged walk over every elevator's samples.
 */
export function hallDisagreements(record: RunRecord): Disagreement[] {
  const merged = [...record.samples].sort((a, b) => a.t - b.t);
  const current = new Map<string, Panel>();
  const since = new Map<string, number>();
  const out: Disagreement[] = [];
  const step = (t: number): void => {
    if (current.size < record.elevators.length) return;
    for (let floor = 0; floor < record.floors; floor++) {
      for (const button of ['hallUp', 'hallDown'] as const) {
        const values = [...current.values()].map((p) => lampOn(p, button, floor));
        const differ = values.some((v) => v !== values[0]);
        const key = `${floor}|${button}`;
        const from = since.get(key);
        if (differ && from === undefined) since.set(key, t);
        else if (!differ && from !== undefined) {
          out.push({ floor, button, start: from, end: t });
          since.delete(key);
        }
      }
    }
  };
  for (let i = 0; i < merged.length; i++) {
    const s = merged[i];
    if (!s) continue;
    current.set(s.elevator, s.panel);
    // Apply every sample of the same instant before judging it.
    if (merged[i + 1]?.t !== s.t) step(s.t);
  }
  for (const [key, from] of since) {
    const [floor, button] = key.split('|') as [string, ButtonType];
    out.push({ floor: Number(floor), button, start: from, end: record.end });
  }
  return out;
}

/** The first time at or after `t` when all panels show the same hall lamps. */
function firstAgreement(
  disagreements: { start: number; end: number }[],
  end: number,
  t: number,
): number | null {
  for (;;) {
    const open = disagreements.filter((d) => d.start <= t && d.end > t);
    if (open.length === 0) return t;
    // Disagreements can chain; jump to the latest end among those running at t, then re-check.
    t = Math.max(...open.map((d) => d.end));
    if (t >= end) return null;
  }
}

/** An interval during which the panels disagree on one hall lamp (some on, some off). */
export interface Disagreement {
  floor: number;
  button: ButtonType;
  start: number;
  end: number;
}

/** Everything the rules judge, derived once from a record. */
export interface Observations {
  record: RunRecord;
  /** Samples per elevator, sorted by time. */
  byElevator: Map<string, Sample[]>;
  doors: DoorVisit[];
  lamps: LampSpan[];
  /** Sorted by time. */
  services: Service[];
  /** One per press of the record, in its order. */
  presses: PressResult[];
  disagreements: Disagreement[];
  /** One per fault of the record, in its order. */
  faults: FaultResult[];
  /** Peer-lost events per node against the loss arithmetic (absent: not recorded). */
  peers: PeerFlapResult[] | undefined;
}

/** Derives every observation of a run. */
export function observe(record: RunRecord): Observations {
  const byElevator = samplesByElevator(record);
  const doors = doorVisits(record);
  const lamps = lampSpans(record);
  const disagreements = hallDisagreements(record);
  const presses = pressResults(record, doors, lamps);
  return {
    record,
    byElevator,
    doors,
    lamps,
    services: services(record, doors, lamps),
    presses,
    disagreements,
    faults: faultResults(record, { byElevator, doors, lamps, presses, disagreements }),
    peers: peerFlaps(record),
  };
}

/** The services: a lamp of an elevator's own panel off while its door is open at that floor. */
function services(record: RunRecord, doors: DoorVisit[], lamps: LampSpan[]): Service[] {
  const { bounds } = record;
  const tol = bounds.toleranceMs;
  const out: Service[] = [];
  for (const span of lamps) {
    if (span.off === null) continue;
    const off = span.off;
    const own = doors.some(
      (d) =>
        d.elevator === span.elevator &&
        d.floor === span.floor &&
        off >= d.start - tol &&
        off <= d.end + tol,
    );
    if (!own) continue;
    const ambiguous = doors.some(
      (d) =>
        d.elevator !== span.elevator &&
        d.floor === span.floor &&
        off >= d.start - bounds.agreeBoundMs &&
        off <= d.end + tol,
    );
    out.push({
      t: off,
      elevator: span.elevator,
      button: span.button,
      floor: span.floor,
      ambiguous,
    });
  }
  return out.sort((a, b) => a.t - b.t);
}

/**
 * The door visit that explains a lamp going off: a car at that floor with its door open when
 * the lamp went off, or until just before (another panel hears of it over the network, hence
 * the longer slack for other cars). Cab lamps: only their own car. A car that stood there
 * earlier while the lamp stayed on explains nothing: a hall lamp that goes off long after a
 * car left, with no car at the floor, is what a person reports as "went off by itself".
 * Only a panel whose node was cut off or restarting (a non-loss fault on it) may learn of a
 * service late: then any visit while its lamp was on explains it.
 */
export function justification(
  record: RunRecord,
  doors: DoorVisit[],
  span: LampSpan,
): DoorVisit | undefined {
  if (span.off === null) return undefined;
  const { bounds } = record;
  const tol = bounds.toleranceMs;
  const off = span.off;
  const late = lateNewsExcused(record, span.elevator, span.on, off);
  return doors.find((d) => {
    if (d.floor !== span.floor) return false;
    if (span.button === 'cab' && d.elevator !== span.elevator) return false;
    const slack = d.elevator === span.elevator ? tol : bounds.agreeBoundMs;
    if (off >= d.start - slack && off <= d.end + slack) return true;
    return late && d.start <= off + slack && d.end >= span.on - tol;
  });
}

/** When and by whom a lamp's call was served (not before `after`); `null`: never. */
function served(
  record: RunRecord,
  doors: DoorVisit[],
  span: LampSpan | undefined,
  after: number,
): { at: number; by: string } | null {
  const d = span ? justification(record, doors, span) : undefined;
  return d ? { at: Math.max(d.start, after), by: d.elevator } : null;
}

/** What became of each press. */
function pressResults(record: RunRecord, doors: DoorVisit[], lamps: LampSpan[]): PressResult[] {
  const { bounds } = record;
  const tol = bounds.toleranceMs;
  return record.presses.map((press) => {
    const own = lamps.filter(
      (l) => l.elevator === press.elevator && l.button === press.button && l.floor === press.floor,
    );
    /** A press whose lamp is on: served when that lamp's call was. */
    const lit = (outcome: 'lit' | 'already-lit', litAt: number, span: LampSpan): PressResult => {
      const s = served(record, doors, span, press.t);
      return { press, outcome, litAt, servedAt: s?.at ?? null, servedBy: s?.by ?? null };
    };
    const current = own.find((l) => l.on <= press.t && (l.off === null || l.off > press.t));
    if (current) return lit('already-lit', press.t, current);
    // The lamp this press lit: the first to come on after it, before the same call is pressed
    // again (on any panel for a hall call: a later press's lamp is not this one's).
    const next = record.presses.find(
      (q) =>
        q.t > press.t &&
        q.button === press.button &&
        q.floor === press.floor &&
        (press.button !== 'cab' || q.elevator === press.elevator),
    );
    const limit = Math.min(press.t + bounds.lightBoundMs, next?.t ?? Infinity);
    const span = own.find((l) => l.on >= press.t && l.on <= limit);
    // Served without a light: no lamp came on, and a car stood (or arrived) at the floor with its
    // door open; or a car opened there after the press, before the lamp came on.
    const atOnce = doors.find(
      (d) =>
        d.floor === press.floor &&
        (press.button !== 'cab' || d.elevator === press.elevator) &&
        (span
          ? d.start >= press.t - tol && d.start < span.on
          : d.end >= press.t - tol && d.start <= limit),
    );
    if (atOnce) {
      return {
        press,
        outcome: 'served-at-once',
        litAt: null,
        servedAt: Math.max(atOnce.start, press.t),
        servedBy: atOnce.elevator,
      };
    }
    if (span) return lit('lit', span.on, span);
    const outcome: PressOutcome = inFault(record, press.elevator, press.t, bounds.lightBoundMs)
      ? 'refused-during-fault'
      : 'not-lit';
    return { press, outcome, litAt: null, servedAt: null, servedBy: null };
  });
}

/** The figures of each fault: takeover, lights agreeing again, the probe's reassignment. */
function faultResults(
  record: RunRecord,
  seen: Pick<Observations, 'byElevator' | 'doors' | 'lamps' | 'presses' | 'disagreements'>,
): FaultResult[] {
  const { byElevator, doors, lamps, presses, disagreements } = seen;
  return record.faults.map((fault) => {
    const pending: { button: ButtonType; floor: number }[] = [];
    for (let floor = 0; floor < record.floors; floor++) {
      for (const button of ['hallUp', 'hallDown'] as const) {
        const lit = [...byElevator.values()].some((list) => {
          const p = panelAt(list, fault.start);
          return p ? lampOn(p, button, floor) : false;
        });
        if (lit) pending.push({ button, floor });
      }
    }
    let last = 0;
    let unserved = 0;
    for (const c of pending) {
      const spans = lamps.filter(
        (l) =>
          l.button === c.button &&
          l.floor === c.floor &&
          l.on <= fault.start &&
          (l.off === null || l.off > fault.start),
      );
      const times = spans
        .map((l) => served(record, doors, l, fault.start)?.at)
        .filter((t): t is number => t !== undefined);
      if (times.length > 0) last = Math.max(last, Math.min(...times) - fault.start);
      else unserved++;
    }
    // After a crash, the panel shows stale lamps until the restarted controller connects again:
    // count from its reconnection.
    let from: number | null = fault.lifted;
    if (fault.kind === 'kill-controller' || fault.kind === 'power-cycle') {
      const list = byElevator.get(fault.target) ?? [];
      const lost = list.find((x) => x.t >= fault.start && !x.panel.connected);
      const back = lost ? list.find((x) => x.t > lost.t && x.panel.connected) : undefined;
      from = lost ? (back?.t ?? null) : fault.lifted;
    }
    const agree =
      from === null
        ? null
        : firstAgreement(disagreements, record.end, Math.max(from, fault.lifted));
    const probe = fault.probe;
    const probeResult = probe
      ? presses.find(
          (r) =>
            r.press.elevator === probe.elevator &&
            r.press.button === probe.button &&
            r.press.floor === probe.floor &&
            Math.abs(r.press.t - probe.t) < 1,
        )
      : undefined;
    return {
      probeMs:
        probeResult?.servedAt == null
          ? null
          : Math.round(probeResult.servedAt - probeResult.press.t),
      probeServedBy: probeResult?.servedBy ?? null,
      fault,
      pendingHallCalls: pending.length,
      takeoverMs: pending.length > 0 && unserved === 0 ? Math.round(last) : null,
      takeoverUnserved: unserved,
      agreeAgainMs: agree === null ? null : Math.round(agree - fault.lifted),
    };
  });
}
