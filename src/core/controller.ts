/**
 * The brain of one controller node, as one step: `handle(event)` returns the effects to execute.
 * Deterministic and clock-free: every event carries `now`; effects are data that the node's shell
 * (or a simulation) executes. Each idea of the step has its own file:
 *
 * - `call-view.ts`: the replicated view of every call (hall and cab registers);
 * - `peer-liveness.ts`: the peers it hears, failure detection, the passes of their views;
 * - `view-sync.ts`: whether it knows the calls yet (after a restart without a disk);
 * - `view-merge.ts`: merging a peer's slice into the view;
 * - `call-confirmation.ts`: confirming pending calls once a single failure cannot lose them;
 * - `hall-assignment.ts`: the assignment of hall calls, recomputed when its input changes;
 * - `lamp-policy.ts`: which button lamps to show;
 * - `persistence.ts`: what the disk holds and when to write it.
 *
 * This file keeps the step itself, the node's own elevator (its state machine, the stop lamp, its
 * availability) and the read-only views for the shell, observers and tests.
 *
 * See docs/design.md for the protocol and why no call can be lost.
 */
import { EMPTY_REGISTER, phaseOf, pressRegister, type CallRegister } from './call-register.js';
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
import type { Assigner } from './assigner/assigner-types.js';
import type { ParkPolicy } from './assigner/dispatch.js';
import {
  aloneKnownFrom,
  confirmPendingCalls,
  refusesHallCall,
  type MeshStanding,
} from './call-confirmation.js';
import {
  litCabCalls,
  litHallCalls,
  ownRegister,
  serveCall,
  setOwnRegister,
  type CallView,
} from './call-view.js';
import type { ControllerEffect, ControllerEvent } from './controller-events.js';
import { HallAssignment } from './hall-assignment.js';
import { ButtonLamps } from './lamp-policy.js';
import { PeerLiveness } from './peer-liveness.js';
import { DurableCopy, restoreView, type PersistedState } from './persistence.js';
import type { ButtonType, HallMatrix, RequestMatrix } from './types.js';
import {
  registerToWire,
  type ElevatorReport,
  type WireRegister,
  type WorldMessage,
} from './view-message.js';
import { mergePeerView } from './view-merge.js';
import { ViewSync } from './view-sync.js';

export type { ControllerEffect, ControllerEvent, ControllerLog } from './controller-events.js';
export type { PersistedState } from './persistence.js';

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

/** One controller node's deterministic core. */
export class Controller {
  readonly id: string;
  readonly floors: number;
  private readonly options: ControllerOptions;
  private readonly view: CallView;
  private readonly peers: PeerLiveness;
  private readonly sync: ViewSync;
  private readonly durable: DurableCopy;
  private readonly lamps = new ButtonLamps();
  private readonly assignment: HallAssignment;
  private fsm: ElevatorState;
  private stopLamp = false;
  private elevatorConnected = true;
  private wasAvailable = true;
  private lastNow = 0;

  constructor(options: ControllerOptions, restored?: PersistedState) {
    this.options = options;
    this.id = options.id;
    this.floors = options.elevator.floors;
    this.fsm = initialElevatorState(options.elevator);
    this.view = restoreView(this.id, this.floors, restored);
    this.peers = new PeerLiveness(this.id, options.peerTimeoutMs, options.dispatchName);
    // A disk written by a run that knew the calls: the lights it shows are right to show at once.
    this.sync = new ViewSync(
      restored !== undefined && restored.unsynced !== true,
      options.peerTimeoutMs,
    );
    this.durable = new DurableCopy(this.view, options.epoch);
    this.assignment = new HallAssignment(options.assign, options.park);
  }

  /** Handles one event; returns the effects to execute, in order. */
  handle(event: ControllerEvent): ControllerEffect[] {
    const now = event.now;
    this.lastNow = now;
    const out: ControllerEffect[] = [];
    let viewChanged = false;
    const wasSynced = this.sync.knowsCalls;
    this.sync.advance(now);
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
        viewChanged = this.peers.detectLost(now, out) || viewChanged;
        break;
      case 'peerMessage': {
        const heard = this.onPeerMessage(event.from, event.body, now, out);
        viewChanged = heard.viewChanged;
        // Most slices add nothing: then nothing downstream can change either.
        if (!heard.viewChanged && !heard.inputsChanged && this.sync.knowsCalls === wasSynced)
          return out;
        break;
      }
      case 'persisted':
        this.durable.stored(event.state);
        break;
    }
    viewChanged = confirmPendingCalls(this.view, this.durable, this.standing(), out) || viewChanged;
    const served = this.updateRequests(now, out);
    this.lamps.update(this.view, this.durable, this.sync.knowsCalls, out);
    if (viewChanged || served) {
      const state = this.durable.writeRequest(this.view, this.sync.knowsCalls);
      if (state !== null) out.push({ type: 'persist', state });
    }
    this.emitAvailability(now, out);
    if (viewChanged) out.push({ type: 'broadcastNow' });
    return out;
  }

  /** This node's view as its slices show it (see `protocol/view-slicer.ts`). */
  snapshot(): ViewSnapshot {
    return {
      floors: this.floors,
      hall: this.view.hall,
      cab: this.view.cab,
      elevator: this.report(this.lastNow),
      alive: this.alivePeers(),
      dispatch: this.options.dispatchName,
      unsynced: !this.sync.knowsCalls,
      passRequests: this.peers.passRequests,
    };
  }

  /** This node's whole view as one message (for observers, tools and tests; nodes send slices). */
  message(): WorldMessage {
    const cab: Record<string, WireRegister[]> = {};
    for (const [owner, registers] of this.view.cab) cab[owner] = registers.map(registerToWire);
    return {
      floors: this.floors,
      hall: this.view.hall.map(([u, d]) => [registerToWire(u), registerToWire(d)]),
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
    times.push(...this.peers.lossDeadlines());
    const syncDeadline = this.sync.deadline();
    if (syncDeadline !== null) times.push(syncDeadline);
    const aloneFrom = aloneKnownFrom({
      heardAnyPeer: this.peers.heardAny,
      upSince: this.sync.started ?? this.lastNow,
      peerTimeoutMs: this.options.peerTimeoutMs,
    });
    if (aloneFrom > this.lastNow && this.sync.started !== null) times.push(aloneFrom);
    return times.length === 0 ? null : Math.min(...times);
  }

  // --- read-only views for the shell, observers and tests -------------------------------------

  get elevator(): ElevatorState {
    return this.fsm;
  }

  /** Hall lights as this node shows them. */
  hallLights(): HallMatrix {
    return litHallCalls(this.view);
  }

  /** This node's own cab lights. */
  cabLights(): boolean[] {
    return litCabCalls(this.view, this.id);
  }

  /** The register of a hall call or of an elevator's cab call, as this node holds it. */
  register(kind: 'hallUp' | 'hallDown' | { cab: string }, floor: number): CallRegister {
    if (typeof kind === 'object') return this.view.cab.get(kind.cab)?.[floor] ?? EMPTY_REGISTER;
    return ownRegister(this.view, kind, floor);
  }

  /** Ids of the nodes this node hears (itself included), sorted. */
  alivePeers(): string[] {
    return this.peers.alive();
  }

  /** The current assignment of hall calls, by elevator id. */
  currentAssignment(): Readonly<Record<string, HallMatrix>> {
    return this.assignment.current;
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

  private standing(): MeshStanding {
    return {
      alive: this.alivePeers(),
      heardAnyPeer: this.peers.heardAny,
      upSince: this.sync.started ?? this.lastNow,
      now: this.lastNow,
      peerTimeoutMs: this.options.peerTimeoutMs,
      aloneHallCalls: this.options.aloneHallCalls,
    };
  }

  private onButton(button: ButtonType, floor: number, out: ControllerEffect[]): boolean {
    if (floor < 0 || floor >= this.floors) return false;
    out.push({ type: 'log', event: 'callPressed', kind: button, floor });
    const reg = ownRegister(this.view, button, floor);
    if (phaseOf(reg) !== 'none') return false; // a live call absorbs the press
    if (button !== 'cab' && refusesHallCall(this.standing())) {
      out.push({ type: 'log', event: 'hallCallRefused', floor, reason: 'alone' });
      return false;
    }
    setOwnRegister(this.view, button, floor, pressRegister(reg, this.id, this.options.epoch));
    return true;
  }

  /**
   * One slice of a peer's view: the peer is heard, and its registers merged. `viewChanged`: a
   * register changed; `inputsChanged`: the peer joined or its elevator report changed (the
   * assignment's inputs).
   */
  private onPeerMessage(
    from: string,
    body: WorldMessage,
    now: number,
    out: ControllerEffect[],
  ): { viewChanged: boolean; inputsChanged: boolean } {
    const nothing = { viewChanged: false, inputsChanged: false };
    if (from === this.id || body.floors !== this.floors) return nothing;
    const heard = this.peers.hear(from, body, now, out);
    if (heard === null) return nothing;
    this.sync.heardPeer(now, from, heard.wholePass);
    return { viewChanged: mergePeerView(this.view, body), inputsChanged: heard.inputsChanged };
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
      serveCall(this.view, e.button, e.floor);
    }
    if (served) out.push({ type: 'broadcastNow' });
    return served;
  }

  /** Recomputes the assignment and hands this car its requests, until the car has nothing new to clear. */
  private updateRequests(now: number, out: ControllerEffect[]): boolean {
    let servedAny = false;
    for (let round = 0; round < 4; round++) {
      const cars = [{ id: this.id, report: this.report(now) }, ...this.peers.aliveReports()];
      this.assignment.recompute(this.view, cars, out);
      const requests = this.assignment.requestsOf(this.view);
      const park = this.assignment.parkingOf(this.id);
      if (sameRequests(requests, this.fsm.requests) && park === this.fsm.park) break;
      const [next, effects] = elevatorStep(this.fsm, { type: 'requests', requests, park, now });
      this.fsm = next;
      if (!this.applyElevatorEffects(effects, out)) break;
      servedAny = true;
    }
    return servedAny;
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

function sameRequests(a: RequestMatrix, b: RequestMatrix): boolean {
  if (a.length !== b.length) return false;
  return a.every((r, f) => {
    const o = b[f];
    return o !== undefined && r[0] === o[0] && r[1] === o[1] && r[2] === o[2];
  });
}
