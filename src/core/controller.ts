/**
 * The brain of one controller node: the replicated view of every call, the peers it hears, the
 * assignment of hall calls, and its own elevator's state machine. Deterministic and clock-free:
 * every event carries `now`; effects are data that the node's shell (or a simulation) executes.
 *
 * See docs/design.md for the protocol and why no call can be lost.
 */
import {
  EMPTY_REGISTER,
  confirmRegister,
  coversInstance,
  isLit,
  mergeRegister,
  pendingOrigins,
  phaseOf,
  pressRegister,
  seenByAll,
  serveRegister,
  type CallRegister,
} from './call-register.js';
import {
  initialElevatorState,
  isAvailable,
  isObstructedTooLong,
  nextDeadline,
  step as elevatorStep,
  type ElevatorConfig,
  type ElevatorEffect,
  type ElevatorEvent,
  type ElevatorState,
} from './elevator-fsm.js';
import type { Assigner, AssignerInput, AssignerOutput } from './assigner/assigner-types.js';
import type { ParkPolicy } from './assigner/dispatch.js';
import { anyHallCall, assignmentInput } from './assignment-input.js';
import { MAX_MESH_NODES } from './mesh-bounds.js';
import type { ButtonType, HallMatrix, RequestMatrix } from './types.js';
import {
  registerFromWire,
  registerToWire,
  wireAddsNothing,
  type ElevatorReport,
  type WireRegister,
  type WorldMessage,
} from './view-message.js';

export interface ControllerOptions {
  id: string;
  elevator: ElevatorConfig;
  /** A peer not heard from for this long is lost. */
  peerTimeoutMs: number;
  /** What a node that is alone does with a new hall call: serve it itself, or leave its light off. */
  aloneHallCalls: 'accept' | 'refuse';
  assign: Assigner;
  /** Idle-car parking (absent: an idle car stays where it stopped). */
  park?: ParkPolicy | undefined;
  /**
   * The name of the dispatch strategy (`assign` and `park`), announced to the peers; a peer that
   * announces another one is logged (`dispatchMismatch`), since the two would disagree.
   */
  dispatchName?: string | undefined;
  /**
   * This run's start mark: every call instance this run creates is numbered above it, so above
   * anything an earlier run of this node created (even one whose disk was lost). The node uses its
   * start time in ms, kept above the last one on disk.
   */
  epoch: number;
}

/** What the node keeps on disk: its own cab counters and the hall counters. */
export interface PersistedState {
  /** The epoch of the run that wrote it. */
  epoch: number;
  cab: WireRegister[];
  hall: [WireRegister, WireRegister][];
}

export type ControllerEvent =
  | { type: 'button'; button: ButtonType; floor: number; now: number }
  | { type: 'floorSensor'; floor: number | null; now: number }
  | { type: 'obstruction'; active: boolean; now: number }
  | { type: 'stopButton'; pressed: boolean; now: number }
  | { type: 'elevatorConnection'; connected: boolean; now: number }
  | { type: 'tick'; now: number }
  | { type: 'peerMessage'; from: string; body: WorldMessage; now: number }
  /** The shell has made this state durable. */
  | { type: 'persisted'; state: PersistedState; now: number };

/** Notable things for the log and observers. */
export type ControllerLog =
  | { event: 'callPressed'; kind: ButtonType; floor: number }
  | { event: 'callConfirmed'; kind: ButtonType; floor: number; owner?: string }
  | { event: 'callServed'; kind: ButtonType; floor: number }
  | { event: 'peerJoined'; peer: string }
  | { event: 'peerLost'; peer: string }
  /** A peer beyond the mesh's bound of nodes: its messages are ignored (logged once per peer). */
  | { event: 'peerIgnored'; peer: string; maxNodes: number }
  | { event: 'dispatchMismatch'; peer: string; theirs: string; ours: string }
  | {
      event: 'reassigned';
      floor: number;
      direction: 'up' | 'down';
      from: string | null;
      to: string;
    }
  | { event: 'hallCallRefused'; floor: number; reason: string }
  | { event: 'outOfService'; reason: 'motor' | 'obstruction' | 'elevatorServer' }
  | { event: 'backInService' };

export type ControllerEffect =
  | Exclude<ElevatorEffect, { type: 'served' }>
  | { type: 'buttonLamp'; button: ButtonType; floor: number; on: boolean }
  | { type: 'stopLamp'; on: boolean }
  /** Write this state durably, then report back with a `persisted` event. */
  | { type: 'persist'; state: PersistedState }
  /** The view changed: broadcast now rather than at the next period. */
  | { type: 'broadcastNow' }
  | ({ type: 'log' } & ControllerLog);

interface PeerEntry {
  lastHeard: number;
  report: ElevatorReport;
  alive: boolean;
  /** The peer's round-robin pass being heard: its id and the next slice index expected. */
  pass?: { id: number; next: number } | undefined;
  /** When the peer last asked for a pass (it does not know the calls yet). */
  askedAt?: number | undefined;
}

/**
 * What a node shows of its view in every slice it broadcasts (`protocol/view-slicer.ts` chooses
 * which registers go in each one).
 */
export interface ViewSnapshot {
  floors: number;
  hall: readonly (readonly [CallRegister, CallRegister])[];
  cab: ReadonlyMap<string, readonly CallRegister[]>;
  elevator: ElevatorReport;
  alive: readonly string[];
  dispatch?: string | undefined;
  /** This node does not know the calls yet: it asks its peers for a whole pass. */
  unsynced: boolean;
  /** Grows each time a peer joins or asks for a pass: the slicer then sends a fast pass. */
  passRequests: number;
}

const HALL_BUTTONS = ['hallUp', 'hallDown'] as const;

/**
 * A node with no disk that hears peers but no whole pass of any of them (heavy loss in a big
 * building) stops waiting for one after this many peer timeouts: it then switches off the lamps it
 * did not light (a slice that carries a lit call lights it again).
 */
const SYNC_FALLBACK_PEER_TIMEOUTS = 3;

/** One controller node's deterministic core. */
export class Controller {
  readonly id: string;
  readonly floors: number;
  private readonly options: ControllerOptions;
  private fsm: ElevatorState;
  private hall: [CallRegister, CallRegister][];
  private readonly cab = new Map<string, CallRegister[]>();
  private readonly peers = new Map<string, PeerEntry>();
  /** What the disk is known to hold. */
  private durableHall: [CallRegister, CallRegister][];
  private durableCab: CallRegister[];
  private persistRequested: string;
  private lamps = new Map<string, boolean>();
  private stopLamp = false;
  private elevatorConnected = true;
  private assignment: Record<string, HallMatrix> = {};
  private assignmentKey = '';
  /** Peers ignored because the mesh is full, logged once each. */
  private readonly ignoredLogged = new Set<string>();
  /** Peers logged as running another dispatch strategy, with the one they announced. */
  private readonly mismatchLogged = new Map<string, string>();
  /** The input of the last assignment computation (parking is a function of it). */
  private assignInput: AssignerInput = { hallRequests: [], states: {} };
  private lastNow = 0;
  /**
   * Whether this node knows the calls: it has a disk, has heard a peer, or has waited a peer
   * timeout. Until then it lights lamps but switches none off: a restarted node with an empty disk
   * would otherwise darken lights it is about to learn from its peers.
   */
  private lampsSynced = false;
  private startedAt: number | null = null;
  /** When this node first heard a peer (the lamp-sync fallback counts from it). */
  private firstHeardAt: number | null = null;
  /** Grows when a peer joins or asks for a pass (see {@link ViewSnapshot.passRequests}). */
  private passRequests = 0;
  private wasAvailable = true;

  constructor(options: ControllerOptions, restored?: PersistedState) {
    this.options = options;
    this.id = options.id;
    this.floors = options.elevator.floors;
    this.fsm = initialElevatorState(options.elevator);
    const fromDisk = (wire: WireRegister | undefined): CallRegister =>
      wire === undefined ? EMPTY_REGISTER : registerFromWire(wire);
    this.hall = Array.from({ length: this.floors }, (_, f) => [
      fromDisk(restored?.hall[f]?.[0]),
      fromDisk(restored?.hall[f]?.[1]),
    ]);
    this.cab.set(
      this.id,
      Array.from({ length: this.floors }, (_, f) => fromDisk(restored?.cab[f])),
    );
    // With a disk, the lights it shows are right to show at once (peers may add or serve calls).
    this.lampsSynced = restored !== undefined;
    this.durableHall = this.hall.map(([u, d]) => [u, d]);
    this.durableCab = [...this.ownCab()];
    this.persistRequested = JSON.stringify(this.persistedState());
  }

  /** Handles one event; returns the effects to execute, in order. */
  handle(event: ControllerEvent): ControllerEffect[] {
    const now = event.now;
    this.lastNow = now;
    this.startedAt ??= now;
    const out: ControllerEffect[] = [];
    let viewChanged = false;
    const wasSynced = this.lampsSynced;
    if (!this.lampsSynced && now >= this.syncDeadline()) this.lampsSynced = true;
    switch (event.type) {
      case 'button':
        viewChanged = this.onButton(event.button, event.floor, out);
        break;
      case 'floorSensor':
        viewChanged = this.runElevator({ type: 'floorSensor', floor: event.floor, now }, out);
        break;
      case 'obstruction':
        this.runElevator({ type: 'obstruction', active: event.active, now }, out);
        break;
      case 'stopButton':
        // The stop button is optional in the requirements; ours lights its lamp while pressed and
        // otherwise does nothing, so a stuck button can never strand a call.
        if (event.pressed !== this.stopLamp) out.push({ type: 'stopLamp', on: event.pressed });
        this.stopLamp = event.pressed;
        break;
      case 'elevatorConnection':
        this.elevatorConnected = event.connected;
        break;
      case 'tick':
        viewChanged = this.runElevator({ type: 'tick', now }, out);
        viewChanged = this.checkPeers(now, out) || viewChanged;
        break;
      case 'peerMessage': {
        const heard = this.onPeerMessage(event.from, event.body, now, out);
        viewChanged = heard.viewChanged;
        // Most slices add nothing: then nothing downstream can change either.
        if (!heard.viewChanged && !heard.inputsChanged && this.lampsSynced === wasSynced)
          return out;
        break;
      }
      case 'persisted':
        this.durableHall = event.state.hall.map(([u, d]) => [
          registerFromWire(u),
          registerFromWire(d),
        ]);
        this.durableCab = event.state.cab.map(registerFromWire);
        break;
    }
    viewChanged = this.advanceCalls(out) || viewChanged;
    const served = this.updateRequests(now, out);
    this.emitLamps(out);
    if (viewChanged || served) this.emitPersist(out);
    this.emitAvailability(now, out);
    if (viewChanged) out.push({ type: 'broadcastNow' });
    return out;
  }

  /** This node's view as its slices show it (see `protocol/view-slicer.ts`). */
  snapshot(): ViewSnapshot {
    return {
      floors: this.floors,
      hall: this.hall,
      cab: this.cab,
      elevator: this.report(this.lastNow),
      alive: this.alivePeers(),
      dispatch: this.options.dispatchName,
      unsynced: !this.lampsSynced,
      passRequests: this.passRequests,
    };
  }

  /** This node's whole view as one message (for observers, tools and tests; nodes send slices). */
  message(): WorldMessage {
    const cab: Record<string, WireRegister[]> = {};
    for (const [owner, registers] of this.cab) cab[owner] = registers.map(registerToWire);
    return {
      floors: this.floors,
      hall: this.hall.map(([u, d]) => [registerToWire(u), registerToWire(d)]),
      cab,
      elevator: this.report(this.lastNow),
      alive: this.alivePeers(),
      ...(this.options.dispatchName !== undefined && { dispatch: this.options.dispatchName }),
    };
  }

  /** The next virtual time at which a `tick` may change something (for simulations). */
  nextDeadline(): number | null {
    const times: number[] = [];
    const fsmDeadline = nextDeadline(this.fsm, this.lastNow);
    if (fsmDeadline !== null) times.push(fsmDeadline);
    for (const p of this.peers.values())
      if (p.alive) times.push(p.lastHeard + this.options.peerTimeoutMs);
    if (!this.lampsSynced && this.startedAt !== null) times.push(this.syncDeadline());
    const alone = this.aloneDeadline();
    if (alone > this.lastNow && this.startedAt !== null) times.push(alone);
    return times.length === 0 ? null : Math.min(...times);
  }

  // --- read-only views for the shell, observers and tests -------------------------------------

  get elevator(): ElevatorState {
    return this.fsm;
  }

  /** Hall lights as this node shows them. */
  hallLights(): HallMatrix {
    return this.hall.map(([u, d]) => [isLit(u), isLit(d)]);
  }

  /** This node's own cab lights. */
  cabLights(): boolean[] {
    return this.ownCab().map((r) => isLit(r));
  }

  /** The register of a hall call or of an elevator's cab call, as this node holds it. */
  register(kind: 'hallUp' | 'hallDown' | { cab: string }, floor: number): CallRegister {
    if (typeof kind === 'object') return this.cab.get(kind.cab)?.[floor] ?? EMPTY_REGISTER;
    return this.hall[floor]?.[kind === 'hallUp' ? 0 : 1] ?? EMPTY_REGISTER;
  }

  /** Ids of the nodes this node hears (itself included), sorted. */
  alivePeers(): string[] {
    const ids = [this.id];
    for (const [id, p] of this.peers) if (p.alive) ids.push(id);
    return ids.sort();
  }

  /** The current assignment of hall calls, by elevator id. */
  currentAssignment(): Readonly<Record<string, HallMatrix>> {
    return this.assignment;
  }

  /** This node's own elevator, as it reports itself to its peers. */
  report(now: number): ElevatorReport {
    const s = this.fsm;
    return {
      behaviour: s.behaviour,
      floor: s.floor,
      direction: s.direction,
      available: this.elevatorConnected && isAvailable(s, now),
      motorFailed: s.motorFailed,
      obstructed: isObstructedTooLong(s, now),
      connected: this.elevatorConnected,
      ...(s.park !== null && { park: s.park }),
    };
  }

  // --- internals -------------------------------------------------------------------------------

  /**
   * From when a node that counts no peer alive knows it is alone (see `advanceCalls`): at once if
   * it has heard peers (each was lost a peer timeout after it was last heard), else a peer timeout
   * after it started.
   */
  private aloneDeadline(): number {
    if (this.peers.size > 0) return -Infinity;
    return (this.startedAt ?? this.lastNow) + this.options.peerTimeoutMs;
  }

  /** When an unsynced node stops waiting for a whole view (see {@link lampsSynced}). */
  private syncDeadline(): number {
    const start = this.startedAt ?? this.lastNow;
    if (this.firstHeardAt === null) return start + this.options.peerTimeoutMs;
    return this.firstHeardAt + SYNC_FALLBACK_PEER_TIMEOUTS * this.options.peerTimeoutMs;
  }

  /**
   * Follows a peer's pass over its view: a node that has heard every slice of one pass knows every
   * call that peer knew when the pass began. A slice without a pass marker is a whole view.
   */
  private followPass(entry: PeerEntry, pass: WorldMessage['pass']): boolean {
    if (pass === undefined) return true;
    if (pass.index === 0) entry.pass = { id: pass.id, next: 0 };
    if (entry.pass === undefined || entry.pass.id !== pass.id || entry.pass.next !== pass.index) {
      entry.pass = undefined;
      return false;
    }
    entry.pass.next += 1;
    return pass.last;
  }

  private ownCab(): CallRegister[] {
    const own = this.cab.get(this.id);
    if (own === undefined) throw new Error('own cab registers missing');
    return own;
  }

  private onButton(button: ButtonType, floor: number, out: ControllerEffect[]): boolean {
    if (floor < 0 || floor >= this.floors) return false;
    out.push({ type: 'log', event: 'callPressed', kind: button, floor });
    const reg = this.readRegister(button, floor);
    if (phaseOf(reg) !== 'none') return false; // a live call absorbs the press
    const alone = this.alivePeers().length === 1;
    if (
      button !== 'cab' &&
      alone &&
      this.peers.size > 0 &&
      this.options.aloneHallCalls === 'refuse'
    ) {
      out.push({ type: 'log', event: 'hallCallRefused', floor, reason: 'alone' });
      return false;
    }
    this.writeRegister(button, floor, pressRegister(reg, this.id, this.options.epoch));
    return true;
  }

  /** Logs once (per peer and strategy) a peer that runs another dispatch strategy than this node. */
  private checkDispatch(peer: string, theirs: string | undefined, out: ControllerEffect[]): void {
    const ours = this.options.dispatchName;
    if (theirs === undefined || ours === undefined || theirs === ours) {
      this.mismatchLogged.delete(peer);
      return;
    }
    if (this.mismatchLogged.get(peer) === theirs) return;
    if (this.mismatchLogged.size >= MAX_MESH_NODES) this.mismatchLogged.clear();
    this.mismatchLogged.set(peer, theirs);
    out.push({ type: 'log', event: 'dispatchMismatch', peer, theirs, ours });
  }

  /**
   * Merges one slice of a peer's view. `viewChanged`: a register changed; `inputsChanged`: the
   * peer joined or its elevator report changed (the assignment's inputs).
   */
  private onPeerMessage(
    from: string,
    body: WorldMessage,
    now: number,
    out: ControllerEffect[],
  ): { viewChanged: boolean; inputsChanged: boolean } {
    const nothing = { viewChanged: false, inputsChanged: false };
    if (from === this.id || body.floors !== this.floors) return nothing;
    let entry = this.peers.get(from);
    if (entry === undefined && !this.makeRoomForPeer()) {
      if (!this.ignoredLogged.has(from) && this.ignoredLogged.size < MAX_MESH_NODES) {
        this.ignoredLogged.add(from);
        out.push({ type: 'log', event: 'peerIgnored', peer: from, maxNodes: MAX_MESH_NODES });
      }
      return nothing;
    }
    const joined = entry === undefined || !entry.alive;
    if (joined) {
      out.push({ type: 'log', event: 'peerJoined', peer: from });
      this.passRequests += 1;
    }
    this.checkDispatch(from, body.dispatch, out);
    const inputsChanged = joined || !sameReport(entry?.report, body.elevator);
    if (entry === undefined) {
      entry = { lastHeard: now, report: body.elevator, alive: true };
      this.peers.set(from, entry);
    } else Object.assign(entry, { lastHeard: now, report: body.elevator, alive: true });
    this.firstHeardAt ??= now;
    if (this.followPass(entry, body.pass)) this.lampsSynced = true;
    if (
      body.sync === true &&
      (entry.askedAt === undefined || now >= entry.askedAt + this.options.peerTimeoutMs)
    ) {
      entry.askedAt = now;
      this.passRequests += 1;
    }

    let changed = false;
    body.hall.forEach(([up, down], f) => {
      const pair = this.hall[f];
      if (pair === undefined || (up.length === 0 && down.length === 0)) return;
      const nu = this.mergeWire(pair[0], up);
      const nd = this.mergeWire(pair[1], down);
      if (nu !== pair[0] || nd !== pair[1]) changed = true;
      this.hall[f] = [nu, nd];
    });
    for (const [owner, wires] of Object.entries(body.cab)) {
      let registers = this.cab.get(owner);
      if (registers === undefined) {
        if (this.cab.size >= MAX_MESH_NODES) continue;
        registers = Array.from({ length: this.floors }, () => EMPTY_REGISTER);
        this.cab.set(owner, registers);
        changed = true;
      }
      for (let f = 0; f < this.floors; f++) {
        // Cab calls are only ever pressed at their own elevator: any other origin is bogus, and a
        // pending instance of it would absorb every later press without ever being confirmed.
        const all = wires[f];
        if (all === undefined || all.length === 0) continue; // most floors of a slice: nothing
        const wire = all.filter((e) => e[0] === owner);
        if (wire.length === 0) continue;
        const mine = registers[f] ?? EMPTY_REGISTER;
        const merged = this.mergeWire(mine, wire);
        if (merged !== mine) {
          registers[f] = merged;
          changed = true;
        }
      }
    }
    return { viewChanged: changed, inputsChanged };
  }

  private mergeWire(mine: CallRegister, wire: WireRegister): CallRegister {
    if (wireAddsNothing(mine, wire, this.id)) return mine;
    let room = MAX_MESH_NODES - Object.keys(mine).length;
    const bounded =
      wire.length <= room ? wire : wire.filter((e) => mine[e[0]] !== undefined || room-- > 0);
    return mergeRegister(mine, registerFromWire(bounded), this.id);
  }

  /** Whether a new peer may be tracked: forgets the longest-silent lost peer when full. */
  private makeRoomForPeer(): boolean {
    if (this.peers.size < MAX_MESH_NODES - 1) return true;
    let oldest: [string, PeerEntry] | undefined;
    for (const e of this.peers)
      if (!e[1].alive && (oldest === undefined || e[1].lastHeard < oldest[1].lastHeard)) oldest = e;
    if (oldest === undefined) return false;
    this.peers.delete(oldest[0]);
    return true;
  }

  private checkPeers(now: number, out: ControllerEffect[]): boolean {
    let changed = false;
    for (const [id, p] of this.peers) {
      if (p.alive && now >= p.lastHeard + this.options.peerTimeoutMs) {
        p.alive = false;
        changed = true;
        out.push({ type: 'log', event: 'peerLost', peer: id });
      }
    }
    return changed;
  }

  /** Pending calls become confirmed once stored where a single failure cannot lose them. */
  private advanceCalls(out: ControllerEffect[]): boolean {
    let changed = false;
    const alive = this.alivePeers();
    // Alone: no peer counted alive, and known to be so. A node that has just started has heard no
    // peer yet, which is not the same as having none: it is alone once it has heard peers and lost
    // them all, or has been up a peer timeout without hearing any. Until then a call only it holds
    // stays pending (lighting it would leave a lit call on one machine while its peers are up).
    const alone = alive.length === 1;
    const knownAlone = alone && this.lastNow >= this.aloneDeadline();
    const mayTakeHallAlone = this.peers.size === 0 || this.options.aloneHallCalls === 'accept';

    this.hall.forEach((pair, f) => {
      ([0, 1] as const).forEach((d) => {
        for (const origin of pendingOrigins(pair[d])) {
          // With peers: every alive peer holds it. Alone: it is on our disk.
          const ok = alone
            ? knownAlone &&
              mayTakeHallAlone &&
              coversInstance(this.durableHall[f]?.[d], pair[d], origin)
            : seenByAll(pair[d], origin, alive);
          if (!ok) continue;
          const wasLit = isLit(pair[d]);
          pair[d] = confirmRegister(pair[d], origin);
          changed = true;
          if (!wasLit)
            out.push({ type: 'log', event: 'callConfirmed', kind: HALL_BUTTONS[d], floor: f });
        }
      });
    });

    // Own cab calls: durable on our disk, and held by at least one other alive peer when we have one.
    const own = this.ownCab();
    own.forEach((reg, f) => {
      if (!pendingOrigins(reg).includes(this.id)) return;
      const durable = coversInstance(this.durableCab[f], reg, this.id);
      const holders = reg[this.id]?.seen ?? [];
      const replicated = alone
        ? knownAlone
        : holders.some((id) => id !== this.id && alive.includes(id));
      if (!durable || !replicated) return;
      own[f] = confirmRegister(reg, this.id);
      changed = true;
      out.push({ type: 'log', event: 'callConfirmed', kind: 'cab', floor: f, owner: this.id });
    });
    return changed;
  }

  private readRegister(button: ButtonType, floor: number): CallRegister {
    return button === 'cab'
      ? (this.ownCab()[floor] ?? EMPTY_REGISTER)
      : this.register(button, floor);
  }

  private writeRegister(button: ButtonType, floor: number, reg: CallRegister): void {
    if (button === 'cab') this.ownCab()[floor] = reg;
    else {
      const pair = this.hall[floor];
      if (pair !== undefined) pair[button === 'hallUp' ? 0 : 1] = reg;
    }
  }

  private runElevator(event: ElevatorEvent, out: ControllerEffect[]): boolean {
    const [next, effects] = elevatorStep(this.fsm, event);
    this.fsm = next;
    return this.applyElevatorEffects(effects, out);
  }

  private applyElevatorEffects(effects: ElevatorEffect[], out: ControllerEffect[]): boolean {
    let served = false;
    for (const e of effects) {
      if (e.type !== 'served') {
        out.push(e);
        continue;
      }
      served = true;
      out.push({ type: 'log', event: 'callServed', kind: e.button, floor: e.floor });
      if (e.button === 'cab') {
        const own = this.ownCab();
        own[e.floor] = serveRegister(own[e.floor] ?? EMPTY_REGISTER);
      } else {
        const pair = this.hall[e.floor];
        if (pair !== undefined) {
          const d = e.button === 'hallUp' ? 0 : 1;
          pair[d] = serveRegister(pair[d]);
        }
      }
    }
    if (served) out.push({ type: 'broadcastNow' });
    return served;
  }

  /** Recomputes the assignment and hands this car its requests, until the car has nothing new to clear. */
  private updateRequests(now: number, out: ControllerEffect[]): boolean {
    let servedAny = false;
    for (let round = 0; round < 4; round++) {
      this.recomputeAssignment(now, out);
      const mine = this.assignment[this.id];
      const own = this.ownCab();
      const requests: RequestMatrix = Array.from({ length: this.floors }, (_, f) => [
        mine?.[f]?.[0] ?? false,
        mine?.[f]?.[1] ?? false,
        isLit(own[f] ?? EMPTY_REGISTER),
      ]);
      const park = this.options.park?.(this.assignInput, this.assignment, this.id) ?? null;
      if (sameRequests(requests, this.fsm.requests) && park === this.fsm.park) break;
      const [next, effects] = elevatorStep(this.fsm, { type: 'requests', requests, park, now });
      this.fsm = next;
      if (!this.applyElevatorEffects(effects, out)) break;
      servedAny = true;
    }
    return servedAny;
  }

  private recomputeAssignment(now: number, out: ControllerEffect[]): void {
    const hallRequests: HallMatrix = this.hall.map(([u, d]) => [isLit(u), isLit(d)]);
    const candidates: { id: string; report: ElevatorReport }[] = [
      { id: this.id, report: this.report(now) },
    ];
    for (const [id, p] of this.peers) if (p.alive) candidates.push({ id, report: p.report });
    const input = assignmentInput(
      hallRequests,
      candidates.map(({ id, report }) => {
        const cab = this.cab.get(id) ?? [];
        return {
          id,
          behaviour: report.behaviour,
          floor: report.floor,
          direction: report.direction,
          available: report.available,
          cabRequests: Array.from({ length: this.floors }, (_, f) =>
            isLit(cab[f] ?? EMPTY_REGISTER),
          ),
        };
      }),
    );
    const states = input.states;
    this.assignInput = input;
    const anyCall = anyHallCall(hallRequests);
    // The assigner runs only when its input changed; the key is built by hand because this runs on
    // every event.
    let key = anyCall ? '' : '-';
    if (anyCall) {
      for (const [u, d] of hallRequests) key += (u ? 'U' : 'u') + (d ? 'D' : 'd');
      for (const [id, st] of Object.entries(states)) {
        key += `|${id}:${st.behaviour}:${st.floor}:${st.direction}:`;
        for (const c of st.cabRequests) key += c ? '1' : '0';
      }
    }
    if (key === this.assignmentKey) return;
    this.assignmentKey = key;
    const next: AssignerOutput =
      anyCall && Object.keys(states).length > 0 ? this.options.assign(input) : {};
    this.logReassignments(this.assignment, next, out);
    this.assignment = next;
  }

  private logReassignments(
    before: Record<string, HallMatrix>,
    after: Record<string, HallMatrix>,
    out: ControllerEffect[],
  ): void {
    const owner = (a: Record<string, HallMatrix>, f: number, d: 0 | 1): string | null => {
      for (const [id, m] of Object.entries(a)) if (m[f]?.[d]) return id;
      return null;
    };
    for (let f = 0; f < this.floors; f++) {
      for (const d of [0, 1] as const) {
        const from = owner(before, f, d);
        const to = owner(after, f, d);
        if (from !== null && to !== null && from !== to)
          out.push({
            type: 'log',
            event: 'reassigned',
            floor: f,
            direction: d === 0 ? 'up' : 'down',
            from,
            to,
          });
      }
    }
  }

  /**
   * Lamps follow the view, with one more condition for turning on: the lit instances are on this
   * node's own disk too. So whoever shows a light holds the call in memory and on disk, and a lamp
   * never depends on a peer that may have died a moment ago.
   */
  private emitLamps(out: ControllerEffect[]): void {
    const want = (
      button: ButtonType,
      floor: number,
      reg: CallRegister,
      durable: CallRegister | undefined,
    ) => {
      const key = `${button}:${floor}`;
      const current = this.lamps.get(key);
      // Lit but not yet on our disk: decide once it is (leave the lamp as it is meanwhile).
      if (isLit(reg) && current !== true && !holdsLitInstances(durable, reg)) return;
      const on = isLit(reg);
      if (current === on) return;
      // Until this node knows the calls (see lampsSynced), it only lights lamps, never darkens one
      // it did not light itself: a peer may be about to tell it the call is still on.
      if (!on && current === undefined && !this.lampsSynced) return;
      // Nor does it darken a lamp it has not set for a call it holds pending: a previous run may
      // have lit it while the write of its confirmation was in flight (the disk then holds it
      // pending). It is decided when the call is: confirmed (on) or served (off).
      if (!on && current === undefined && phaseOf(reg) === 'unconfirmed') return;
      this.lamps.set(key, on);
      out.push({ type: 'buttonLamp', button, floor, on });
    };
    const own = this.ownCab();
    for (let f = 0; f < this.floors; f++) {
      const pair = this.hall[f];
      const durable = this.durableHall[f];
      if (f < this.floors - 1) want('hallUp', f, pair?.[0] ?? EMPTY_REGISTER, durable?.[0]);
      if (f > 0) want('hallDown', f, pair?.[1] ?? EMPTY_REGISTER, durable?.[1]);
      want('cab', f, own[f] ?? EMPTY_REGISTER, this.durableCab[f]);
    }
  }

  private emitPersist(out: ControllerEffect[]): void {
    const state = this.persistedState();
    const key = JSON.stringify(state);
    if (key === this.persistRequested) return;
    this.persistRequested = key;
    out.push({ type: 'persist', state });
  }

  private persistedState(): PersistedState {
    return {
      epoch: this.options.epoch,
      cab: this.ownCab().map(registerToWire),
      hall: this.hall.map(([u, d]) => [registerToWire(u), registerToWire(d)]),
    };
  }

  private emitAvailability(now: number, out: ControllerEffect[]): void {
    const available = this.report(now).available;
    if (available === this.wasAvailable) return;
    this.wasAvailable = available;
    if (available) out.push({ type: 'log', event: 'backInService' });
    else {
      const reason = !this.elevatorConnected
        ? 'elevatorServer'
        : this.fsm.motorFailed
          ? 'motor'
          : 'obstruction';
      if (this.fsm.floor !== null) out.push({ type: 'log', event: 'outOfService', reason });
    }
  }
}

/** Whether `durable` holds every instance that makes `reg` lit. */
function holdsLitInstances(durable: CallRegister | undefined, reg: CallRegister): boolean {
  for (const [origin, m] of Object.entries(reg))
    if (m.k > m.s && (durable?.[origin]?.p ?? 0) < m.k) return false;
  return true;
}

function sameReport(a: ElevatorReport | undefined, b: ElevatorReport): boolean {
  return (
    a !== undefined &&
    a.behaviour === b.behaviour &&
    a.floor === b.floor &&
    a.direction === b.direction &&
    a.available === b.available &&
    a.motorFailed === b.motorFailed &&
    a.obstructed === b.obstructed &&
    a.connected === b.connected &&
    a.park === b.park
  );
}

function sameRequests(a: RequestMatrix, b: RequestMatrix): boolean {
  if (a.length !== b.length) return false;
  return a.every((r, f) => {
    const o = b[f];
    return o !== undefined && r[0] === o[0] && r[1] === o[1] && r[2] === o[2];
  });
}
