/**
 * The dashboard's aggregator (pure: no `node:*` imports, no clock reads; every input carries its
 * receive time): it takes the peers' decoded broadcasts and builds the {@link SystemView} the page
 * shows, plus a bounded log of notable events.
 *
 * It is a passive observer: it holds no state of its own beyond what each node has told it: the
 * latest elevator report and peers of each node, and the join of the registers of every slice the
 * node sent in its current run (a slice carries only part of a view; see
 * `protocol/view-slicer.ts`). The calls are the lattice join of the registers every ALIVE node reports (the same join the
 * nodes use, so a served call disappears as soon as one node reports it served and an old copy can
 * never bring it back). The assignment is recomputed here with the nodes' own deterministic
 * assigner and the same inputs the node's controller builds (`core/assignment-input`),
 * so the page shows what the nodes decide without the nodes having to send it.
 */
import {
  EMPTY_REGISTER,
  joinRegisters,
  phaseOf,
  type CallRegister,
} from '../core/call-register.js';
import type { Assigner } from '../core/assigner/index.js';
import { anyHallCall, assignmentInput } from '../core/assignment-input.js';
import { sortedElevatorIds } from '../core/assigner/index.js';
import type { HallMatrix } from '../core/types.js';
import {
  registerFromWire,
  registerToWire,
  type ElevatorReport,
  type WireRegister,
  type WorldMessage,
} from '../core/view-message.js';
import type {
  CallPhaseView,
  HallCallView,
  LogEntry,
  LogKind,
  NodeView,
  OutOfServiceReason,
  SystemView,
} from './view-model.js';
import { CONTROLLER_DEFAULTS } from '../core/timings.js';

/** Default time after which a silent node is shown as lost: the nodes' own peer timeout. */
export const DEFAULT_PEER_TIMEOUT_MS = CONTROLLER_DEFAULTS.peerTimeoutMs;
/** Default number of log entries kept. */
export const DEFAULT_MAX_LOG_ENTRIES = 300;

/** Options of a {@link SystemViewAggregator}. */
export interface SystemViewOptions {
  /** The assigner whose decisions are shown while no node announces its strategy. */
  assign: Assigner;
  /**
   * The assigner of a dispatch strategy a node announces (`WorldMessage.dispatch`), or undefined
   * for an unknown one. Absent: `assign` is always used.
   */
  assignerFor?: (strategy: string) => Assigner | undefined;
  /** A node silent for longer than this is lost. Default {@link DEFAULT_PEER_TIMEOUT_MS}. */
  peerTimeoutMs?: number;
  /** Log entries kept. Default {@link DEFAULT_MAX_LOG_ENTRIES}. */
  maxLogEntries?: number;
}

/** One accepted peer message. */
export interface HeardMessage {
  from: string;
  incarnation: number;
  body: WorldMessage;
}

interface NodeEntry {
  id: string;
  incarnation: number;
  restarts: number;
  lastHeard: number;
  alive: boolean;
  since: number;
  body: WorldMessage;
}

const DIRECTIONS = ['up', 'down'] as const;

/** A node's view so far joined with its next slice: registers joined, the rest the newest. */
function accumulate(view: WorldMessage, slice: WorldMessage): WorldMessage {
  if (view.floors !== slice.floors) return slice;
  const join = (a: WireRegister | undefined, b: WireRegister): WireRegister =>
    b.length === 0
      ? (a ?? [])
      : registerToWire(joinRegisters(registerFromWire(a ?? []), registerFromWire(b)));
  const cab: Record<string, WireRegister[]> = { ...view.cab };
  for (const [owner, regs] of Object.entries(slice.cab))
    cab[owner] = regs.map((r, f) => join(view.cab[owner]?.[f], r));
  return {
    ...slice,
    hall: slice.hall.map(([u, d], f) => [join(view.hall[f]?.[0], u), join(view.hall[f]?.[1], d)]),
    cab,
  };
}
const ARROW = { up: '↑', down: '↓' } as const;

/** Builds the dashboard's view of the system from what the peers broadcast. */
export class SystemViewAggregator {
  readonly #assign: Assigner;
  readonly #assignerFor: ((strategy: string) => Assigner | undefined) | undefined;
  readonly #assigners = new Map<string, Assigner>();
  readonly #timeoutMs: number;
  readonly #maxLog: number;
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #log: LogEntry[] = [];
  #nextLogId = 1;
  #accepted = 0;
  readonly #rejected: Record<string, number> = {};
  // Derived state, recomputed after every change, and compared with the previous one for the log.
  #floors = 0;
  #hall: [HallCallView, HallCallView][] = [];
  #cab = new Map<string, CallPhaseView[]>();
  #assignment: Record<string, HallMatrix> = {};
  #assignmentKey = '';

  constructor(options: SystemViewOptions) {
    this.#assign = options.assign;
    this.#assignerFor = options.assignerFor;
    this.#timeoutMs = options.peerTimeoutMs ?? DEFAULT_PEER_TIMEOUT_MS;
    this.#maxLog = Math.max(1, options.maxLogEntries ?? DEFAULT_MAX_LOG_ENTRIES);
  }

  /** Takes one accepted message, received at wall-clock time `at` (ms). */
  ingest(message: HeardMessage, at: number): void {
    this.#expire(at);
    this.#accepted += 1;
    const { from, incarnation, body } = message;
    const before = this.#nodes.get(from);
    if (before === undefined) {
      this.#nodes.set(from, {
        id: from,
        incarnation,
        restarts: 0,
        lastHeard: at,
        alive: true,
        since: at,
        body,
      });
      this.#append(at, 'peerJoined', `${from} joined`);
      this.#logElevatorChanges(from, undefined, body.elevator, at);
    } else {
      const restarted = incarnation !== before.incarnation;
      if (!before.alive) {
        this.#append(at, 'peerRejoined', `${from} rejoined${restarted ? ' after a restart' : ''}`);
        before.alive = true;
        before.since = at;
      } else if (restarted) {
        this.#append(at, 'restart', `${from} restarted`);
      }
      if (restarted) before.restarts += 1;
      if (before.alive && !restarted)
        this.#logPeerViewChanges(from, before.body.alive, body.alive, at);
      this.#logElevatorChanges(from, before.body.elevator, body.elevator, at);
      before.incarnation = incarnation;
      before.lastHeard = at;
      before.body = restarted ? body : accumulate(before.body, body);
    }
    this.#recompute(at);
  }

  /** Counts a rejected datagram (shown so a wrong key or version is visible on the page). */
  rejected(code: string): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
  }

  /** Whether `id` was heard within the peer timeout (as of the last `ingest` or `tick`). */
  isAlive(id: string): boolean {
    return this.#nodes.get(id)?.alive === true;
  }

  /** Adds a line of the operator's own to the log (e.g. a demo action). */
  note(at: number, text: string): void {
    this.#append(at, 'demo', text);
  }

  /** Lets time pass: nodes silent for longer than the timeout become lost. */
  tick(at: number): void {
    if (this.#expire(at)) this.#recompute(at);
  }

  /** The current view (a fresh object; the caller may keep or serialise it). */
  view(): SystemView {
    const nodes: NodeView[] = sortedElevatorIds(this.#nodes.keys()).map((id) => {
      const n = this.#nodes.get(id) as NodeEntry;
      const e = n.body.elevator;
      return {
        id,
        status: n.alive ? 'alive' : 'lost',
        incarnation: n.incarnation,
        restarts: n.restarts,
        elevator: { ...e },
        outOfService: outOfServiceReason(e),
        sees: sortedElevatorIds(n.body.alive.filter((p) => p !== id)),
        cab: [
          ...(this.#cab.get(id) ?? Array.from({ length: this.#floors }, () => 'none' as const)),
        ],
        since: n.since,
      };
    });
    return {
      floors: this.#floors,
      nodes,
      hall: this.#hall.map(([u, d]) => [
        { ...u, witnesses: [...u.witnesses] },
        { ...d, witnesses: [...d.witnesses] },
      ]),
      log: this.#log.map((entry) => ({ ...entry })),
      traffic: { accepted: this.#accepted, rejected: { ...this.#rejected } },
    };
  }

  /** Marks silent nodes lost; true if any was. */
  #expire(at: number): boolean {
    let changed = false;
    for (const n of this.#nodes.values()) {
      if (n.alive && at - n.lastHeard > this.#timeoutMs) {
        n.alive = false;
        n.since = at;
        changed = true;
        this.#append(
          at,
          'peerLost',
          `${n.id} lost (silent for ${Math.round(at - n.lastHeard)} ms)`,
        );
      }
    }
    return changed;
  }

  #recompute(at: number): void {
    const alive = [...this.#nodes.values()].filter((n) => n.alive);
    const floors = Math.max(0, ...alive.map((n) => n.body.floors));
    if (floors === 0) {
      // Nobody alive: keep showing the last known building, with no live calls.
      this.#floors = Math.max(this.#floors, ...[...this.#nodes.values()].map((n) => n.body.floors));
    } else {
      this.#floors = floors;
    }

    // Hall calls: the join over alive nodes.
    const hallRegs: [CallRegister, CallRegister][] = Array.from(
      { length: this.#floors },
      (_, f) =>
        [0, 1].map((d) => {
          let reg = EMPTY_REGISTER;
          for (const n of alive) {
            const wire = n.body.hall[f]?.[d];
            if (wire !== undefined) reg = joinRegisters(reg, registerFromWire(wire));
          }
          return reg;
        }) as [CallRegister, CallRegister],
    );
    // Cab calls of every elevator known (a lost node's cab calls live on in its peers' copies).
    const cabIds = new Set<string>(this.#nodes.keys());
    for (const n of alive) for (const id of Object.keys(n.body.cab)) cabIds.add(id);
    const cabRegs = new Map<string, CallRegister[]>();
    for (const id of cabIds) {
      cabRegs.set(
        id,
        Array.from({ length: this.#floors }, (_, f) => {
          let reg = EMPTY_REGISTER;
          for (const n of alive) {
            const wire = n.body.cab[id]?.[f];
            if (wire !== undefined) reg = joinRegisters(reg, registerFromWire(wire));
          }
          return reg;
        }),
      );
    }

    const assignment = this.#computeAssignment(alive, hallRegs, cabRegs);
    const owner = (f: number, d: 0 | 1): string | null => {
      for (const id of sortedElevatorIds(Object.keys(assignment)))
        if (assignment[id]?.[f]?.[d] === true) return id;
      return null;
    };

    // Hall views and their log lines.
    const hall: [HallCallView, HallCallView][] = hallRegs.map(
      (pair, f) =>
        pair.map((reg, d): HallCallView => {
          const phase = phaseOf(reg);
          const assignedTo = phase === 'confirmed' ? owner(f, d as 0 | 1) : null;
          const witnesses =
            phase === 'unconfirmed'
              ? [...new Set(Object.values(reg).flatMap((m) => m.seen))].sort()
              : [];
          return { phase, assignedTo, witnesses };
        }) as [HallCallView, HallCallView],
    );
    for (let f = 0; f < hall.length; f++) {
      for (const d of [0, 1] as const) {
        const now = hall[f]?.[d];
        if (now === undefined) continue;
        const was = this.#hall[f]?.[d] ?? { phase: 'none', assignedTo: null, witnesses: [] };
        const name = `Hall ${ARROW[DIRECTIONS[d]]} at floor ${f}`;
        this.#logPhase(name, was.phase, now.phase, now.assignedTo, at);
        if (
          was.phase === 'confirmed' &&
          now.phase === 'confirmed' &&
          was.assignedTo !== null &&
          now.assignedTo !== null &&
          was.assignedTo !== now.assignedTo
        ) {
          this.#append(
            at,
            'reassigned',
            `${name} reassigned ${was.assignedTo} → ${now.assignedTo}`,
          );
        } else if (
          was.phase === 'confirmed' &&
          now.phase === 'confirmed' &&
          was.assignedTo === null &&
          now.assignedTo !== null
        ) {
          this.#append(at, 'reassigned', `${name} assigned to ${now.assignedTo}`);
        }
      }
    }

    const cab = new Map<string, CallPhaseView[]>();
    for (const id of sortedElevatorIds(cabRegs.keys())) {
      const phases = (cabRegs.get(id) ?? []).map((reg) => phaseOf(reg));
      cab.set(id, phases);
      const was = this.#cab.get(id) ?? [];
      phases.forEach((phase, f) =>
        this.#logPhase(`Cab call in ${id} to floor ${f}`, was[f] ?? 'none', phase, null, at),
      );
    }

    this.#hall = hall;
    this.#cab = cab;
    this.#assignment = assignment;
  }

  /** The assignment the nodes compute, from the same inputs the node's controller uses. */
  #computeAssignment(
    alive: NodeEntry[],
    hallRegs: [CallRegister, CallRegister][],
    cabRegs: Map<string, CallRegister[]>,
  ): Record<string, HallMatrix> {
    const hallRequests: HallMatrix = hallRegs.map(([u, d]) => [
      phaseOf(u) === 'confirmed',
      phaseOf(d) === 'confirmed',
    ]);
    if (!anyHallCall(hallRequests)) {
      this.#assignmentKey = '';
      return {};
    }
    // The same input the nodes build (core/assignment-input).
    const input = assignmentInput(
      hallRequests,
      alive.map((n) => {
        const e = n.body.elevator;
        const cab = cabRegs.get(n.id) ?? [];
        return {
          id: n.id,
          behaviour: e.behaviour,
          floor: e.floor,
          direction: e.direction,
          available: e.available,
          cabRequests: Array.from(
            { length: this.#floors },
            (_, f) => phaseOf(cab[f] ?? EMPTY_REGISTER) === 'confirmed',
          ),
        };
      }),
    );
    if (Object.keys(input.states).length === 0) {
      this.#assignmentKey = '';
      return {};
    }
    const strategy = this.dispatchName();
    // The assigner is deterministic: rerun it only when its input (or the strategy) changed.
    const key = `${strategy ?? ''}|${JSON.stringify(input)}`;
    if (key === this.#assignmentKey) return this.#assignment;
    this.#assignmentKey = key;
    return this.#assignerOf(strategy)(input);
  }

  /** The dispatch strategy the alive nodes announce (the first by id that does), or null. */
  dispatchName(): string | null {
    const alive = [...this.#nodes.values()].filter((n) => n.alive);
    for (const id of sortedElevatorIds(alive.map((n) => n.id))) {
      const name = this.#nodes.get(id)?.body.dispatch;
      if (name !== undefined) return name;
    }
    return null;
  }

  #assignerOf(strategy: string | null): Assigner {
    if (strategy === null || this.#assignerFor === undefined) return this.#assign;
    const known = this.#assigners.get(strategy);
    if (known !== undefined) return known;
    // Bounded: a forged message could announce any name; only known strategies are cached.
    const assigner = this.#assignerFor(strategy);
    if (assigner === undefined) return this.#assign;
    this.#assigners.set(strategy, assigner);
    return assigner;
  }

  #logPhase(
    name: string,
    was: CallPhaseView,
    now: CallPhaseView,
    assignedTo: string | null,
    at: number,
  ): void {
    if (was === now) return;
    const to = assignedTo === null ? '' : ` → ${assignedTo}`;
    if (now === 'unconfirmed') this.#append(at, 'call', `${name} pressed (unconfirmed)`);
    else if (now === 'confirmed') this.#append(at, 'call', `${name} confirmed${to}`);
    else if (was === 'confirmed') this.#append(at, 'served', `${name} served`);
    else this.#append(at, 'served', `${name} cleared before confirmation`);
  }

  #logElevatorChanges(
    id: string,
    was: ElevatorReport | undefined,
    now: ElevatorReport,
    at: number,
  ): void {
    if (now.behaviour === 'doorOpen' && was?.behaviour !== 'doorOpen' && now.floor !== null) {
      this.#append(at, 'arrival', `${id} arrived at floor ${now.floor} (door open)`);
    }
    if (was !== undefined && was.obstructed !== now.obstructed) {
      this.#append(
        at,
        'service',
        now.obstructed ? `${id}: door obstructed` : `${id}: obstruction cleared`,
      );
    }
    const before = was === undefined ? null : outOfServiceReason(was);
    const after = outOfServiceReason(now);
    if (before !== after) {
      if (after !== null)
        this.#append(at, 'service', `${id} out of service: ${REASON_TEXT[after]}`);
      else if (was !== undefined) this.#append(at, 'service', `${id} back in service`);
    }
  }

  #logPeerViewChanges(id: string, was: string[], now: string[], at: number): void {
    for (const p of sortedElevatorIds(was)) {
      if (p !== id && !now.includes(p)) this.#append(at, 'peerView', `${id} no longer hears ${p}`);
    }
    for (const p of sortedElevatorIds(now)) {
      if (p !== id && !was.includes(p)) this.#append(at, 'peerView', `${id} hears ${p}`);
    }
  }

  #append(at: number, kind: LogKind, text: string): void {
    this.#log.push({ id: this.#nextLogId++, at, kind, text });
    if (this.#log.length > this.#maxLog) this.#log.splice(0, this.#log.length - this.#maxLog);
  }
}

const REASON_TEXT: Record<OutOfServiceReason, string> = {
  elevatorServer: 'no connection to its elevator',
  motor: 'motor failed',
  obstruction: 'door obstructed too long',
  unavailable: 'unavailable',
};

/** Why an elevator cannot take calls, or null if it can. */
export function outOfServiceReason(e: ElevatorReport): OutOfServiceReason | null {
  if (!e.connected) return 'elevatorServer';
  if (e.motorFailed) return 'motor';
  if (!e.available && e.obstructed) return 'obstruction';
  if (!e.available && e.behaviour !== 'init') return 'unavailable';
  return null;
}
