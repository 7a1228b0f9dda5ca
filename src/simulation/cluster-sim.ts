/**
 * A whole elevator-mesh building in virtual time: N controller cores (the same `Controller` the
 * nodes run), N cars with the simulator's physics (`CarPhysics`), and the in-memory lossy network,
 * all driven by one seeded random scheduler. Messages travel as real encoded envelopes.
 *
 * Faults are methods: crash/restart (with or without the disk), disconnect/reconnect, packet loss,
 * motor power loss, obstruction. Observers (the invariant checker) see every lamp change, every
 * served call and the cars' motion.
 */
import type { Assigner, ParkPolicy, ParkTiming } from '../core/assigner/index.js';
import { Controller, type ControllerEffect, type PersistedState } from '../core/controller.js';
import type { ElevatorConfig } from '../core/elevator-fsm.js';
import type { ButtonType } from '../core/types.js';
import {
  ReplayTracker,
  decodeEnvelope,
  encodeEnvelope,
  makeIncarnation,
  type EnvelopeDecodeResult,
} from '../protocol/peer-envelope.js';
import { ViewSlicer, sliceBodyBytes } from '../protocol/view-slicer.js';
import { MAX_DATAGRAM_BYTES, viewSliceSchema } from '../protocol/world-message.js';
import { type WorldMessage } from '../core/view-message.js';
import { CarPhysics } from '../sim/car-physics.js';
import { LossyBus, type LossyBusEndpoint } from './lossy-bus.js';
import { SeededRandom } from './seeded-random.js';
import { CONTROLLER_DEFAULTS, REFERENCE_PHYSICS, type BuildingTimings } from '../core/timings.js';

export interface ClusterTimings extends BuildingTimings {
  /** How long a crashed node stays down before its supervisor restarts it. */
  restartDelayMs: number;
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = {
  ...REFERENCE_PHYSICS,
  ...CONTROLLER_DEFAULTS,
  // Slower than the node's 30 ms: fewer events to simulate, and fewer chances per peer timeout.
  broadcastIntervalMs: 50,
  restartDelayMs: 500,
};

export interface ClusterOptions {
  seed: number;
  elevators: number;
  floors: number;
  assign: Assigner;
  /** Idle-car parking for every node (absent: none). */
  park?: ParkPolicy | undefined;
  /** When parking cars leave (absent: at once). */
  parkTiming?: ParkTiming | undefined;
  timings?: Partial<ClusterTimings>;
  aloneHallCalls?: 'accept' | 'refuse';
  /**
   * How long a state-file write takes, in ms (absent: 0, the write is done when it is asked for).
   * Writes run one at a time, the newest state queued behind the one in flight; a crash loses the
   * write in flight and the queued one (the file keeps the state before it, as a rename does).
   */
  persistDelayMs?: number;
  /** Network delay bounds in ms (jitter reorders). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The slice budget of a node: the datagram bound minus the envelope's overhead (no key here). */
function newSlicer(id: string): ViewSlicer {
  return new ViewSlicer({ bodyBytes: sliceBodyBytes(id) });
}

/** One observed change, for invariant checkers. */
export type ClusterObservation =
  | { kind: 'lamp'; at: number; node: string; button: ButtonType; floor: number; on: boolean }
  | { kind: 'door'; at: number; node: string; open: boolean }
  | { kind: 'served'; at: number; node: string; button: ButtonType; floor: number }
  | { kind: 'crash'; at: number; node: string }
  | { kind: 'restart'; at: number; node: string }
  /** A node's failure detector declared a peer lost. */
  | { kind: 'peerLost'; at: number; node: string; peer: string };

/** A simulated building: what one node's hardware and process look like. */
export class SimNode {
  readonly id: string;
  readonly car: CarPhysics;
  controller: Controller | null = null;
  incarnation = 0;
  seq = 0;
  replay = new ReplayTracker();
  /** What each datagram of the running process carries (a new one per process). */
  slicer: ViewSlicer;
  disk: PersistedState | undefined;
  /** The state-file write in flight (with `persistDelayMs`) and the newest state queued behind it. */
  writing: { state: PersistedState; doneAt: number } | null = null;
  queuedWrite: PersistedState | null = null;
  readonly endpoint: LossyBusEndpoint;
  /** Lamps of the elevator panel, as the elevator server holds them (they outlive a crash). */
  readonly lamps = new Map<string, boolean>();
  doorLamp = false;
  obstruction = false;
  sensor: number | null;
  /** A motor command was written: the driver's report of the sensor after it is due. */
  sensorReportDue = false;
  nextBroadcastAt = 0;
  broadcastSoon = false;
  restartAt: number | null = null;
  /** Bytes this node has broadcast (for the bandwidth measurement). */
  bytesSent = 0;
  incarnations = 0;

  constructor(id: string, car: CarPhysics, endpoint: LossyBusEndpoint, now: number) {
    this.id = id;
    this.car = car;
    this.endpoint = endpoint;
    this.sensor = car.floorSensor(now);
    this.slicer = newSlicer(id);
  }

  get alive(): boolean {
    return this.controller !== null;
  }

  lamp(button: ButtonType, floor: number): boolean {
    return this.lamps.get(`${button}:${floor}`) ?? false;
  }
}

/** The building. */
export class ClusterSim {
  readonly random: SeededRandom;
  readonly bus: LossyBus;
  readonly nodes: SimNode[] = [];
  readonly timings: ClusterTimings;
  readonly floors: number;
  now = 0;
  private readonly options: ClusterOptions;
  private readonly observers: ((o: ClusterObservation) => void)[] = [];
  private readonly stepListeners: (() => void)[] = [];
  /** Each datagram is decoded once for all its receivers (decoding is stateless). */
  private readonly decoded = new WeakMap<Uint8Array, EnvelopeDecodeResult<WorldMessage>>();

  constructor(options: ClusterOptions) {
    this.options = options;
    this.floors = options.floors;
    this.timings = { ...DEFAULT_CLUSTER_TIMINGS, ...options.timings };
    this.random = new SeededRandom(options.seed);
    this.bus = new LossyBus({
      random: this.random.fork(),
      minDelayMs: options.minDelayMs ?? 1,
      maxDelayMs: options.maxDelayMs ?? 5,
      now: () => this.now,
    });
    for (let i = 0; i < options.elevators; i++) this.addElevator();
  }

  /**
   * Adds an elevator (a new car, a new node) to the running building: how a new elevator joins.
   * `startFloor` places its car; by default it starts at a random floor or between floors.
   */
  addElevator(startFloor?: number): SimNode {
    const id = `e${this.nodes.length + 1}`;
    const startBetween =
      startFloor === undefined && this.random.chance(0.5) ? this.random.int(this.floors - 1) : null;
    const car = new CarPhysics({
      floors: this.floors,
      travelMs: this.timings.travelMs,
      passingMs: this.timings.passingMs,
      start:
        startBetween === null
          ? { floor: startFloor ?? this.random.int(this.floors) }
          : { between: startBetween },
    });
    const endpoint = this.bus.endpoint(id);
    const node = new SimNode(id, car, endpoint, this.now);
    endpoint.onDatagram((datagram) => this.deliver(node, datagram));
    void endpoint.start();
    this.nodes.push(node);
    this.boot(node);
    return node;
  }

  observe(listener: (o: ClusterObservation) => void): () => void {
    this.observers.push(listener);
    return () => {
      const i = this.observers.indexOf(listener);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /** Called after every instant the scheduler processed, to check invariants on the whole building. */
  afterEachStep(listener: () => void): void {
    this.stepListeners.push(listener);
  }

  node(id: string): SimNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  // --- people and faults -----------------------------------------------------------------------

  /** A person presses a button on a node's panel (ignored by a crashed node, as on real hardware). */
  press(id: string, button: ButtonType, floor: number): void {
    const node = this.node(id);
    this.handle(node, { type: 'button', button, floor, now: this.now });
  }

  /** kill -9, or power loss of the machine: memory is gone, the disk stays unless `loseDisk`. */
  crash(id: string, opts: { loseDisk?: boolean; restartAfterMs?: number } = {}): void {
    const node = this.node(id);
    if (!node.alive) return;
    node.controller = null;
    node.writing = null;
    node.queuedWrite = null;
    if (opts.loseDisk === true) node.disk = undefined;
    // The elevator server stops the motor when its client goes away.
    node.car.setMotor('stop', this.now);
    void node.endpoint.stop();
    node.restartAt = this.now + (opts.restartAfterMs ?? this.timings.restartDelayMs);
    this.emit({ kind: 'crash', at: this.now, node: id });
  }

  disconnect(id: string): void {
    this.bus.disconnect(id);
  }

  reconnect(id: string): void {
    this.bus.reconnect(id);
  }

  setMotorPower(id: string, on: boolean): void {
    this.node(id).car.setMotorPower(on, this.now);
  }

  setObstruction(id: string, on: boolean): void {
    const node = this.node(id);
    node.obstruction = on;
    this.handle(node, { type: 'obstruction', active: on, now: this.now });
  }

  // --- the scheduler ---------------------------------------------------------------------------

  /** Runs the building until virtual time `until`, event by event. */
  runUntil(until: number): void {
    let stuck = 0;
    for (;;) {
      const next = this.nextEventAt();
      if (next === undefined || next > until) break;
      // A deadline that a tick does not clear would spin here forever: fail loudly instead.
      stuck = next <= this.now ? stuck + 1 : 0;
      if (stuck > 10_000) throw new Error(`the scheduler is stuck at ${this.now} ms`);
      this.now = Math.max(this.now, next);
      this.processDue();
    }
    this.now = Math.max(this.now, until);
    this.processDue();
  }

  private nextEventAt(): number | undefined {
    let t = Infinity;
    for (const n of this.nodes) {
      const change = n.car.nextChangeAt(this.now);
      if (change !== undefined) t = Math.min(t, change);
      if (n.restartAt !== null) t = Math.min(t, n.restartAt);
      if (n.writing !== null) t = Math.min(t, n.writing.doneAt);
      if (n.controller !== null) {
        t = Math.min(t, n.broadcastSoon ? this.now : n.nextBroadcastAt);
        const d = n.controller.nextDeadline();
        if (d !== null) t = Math.min(t, d);
      }
    }
    const delivery = this.bus.nextDeliveryAt();
    if (delivery !== undefined) t = Math.min(t, delivery);
    return t === Infinity ? undefined : Math.max(t, this.now);
  }

  private processDue(): void {
    for (const n of this.nodes) {
      if (n.restartAt !== null && n.restartAt <= this.now) this.boot(n);
      if (n.writing !== null && n.writing.doneAt <= this.now) this.finishWrite(n);
      const sensor = n.car.floorSensor(this.now);
      if (sensor !== n.sensor) {
        n.sensor = sensor;
        this.handle(n, { type: 'floorSensor', floor: sensor, now: this.now });
      }
      if (n.controller !== null) {
        const d = n.controller.nextDeadline();
        if (d !== null && d <= this.now) this.handle(n, { type: 'tick', now: this.now });
      }
    }
    for (const n of this.nodes) {
      if (n.controller === null) continue;
      if (n.broadcastSoon || n.nextBroadcastAt <= this.now) this.broadcast(n);
    }
    this.bus.runUntil(this.now);
    for (const l of this.stepListeners) l();
  }

  /** The write in flight reaches the disk; the queued one, if any, starts. */
  private finishWrite(node: SimNode): void {
    const done = node.writing;
    if (done === null) return;
    const queued = node.queuedWrite;
    node.queuedWrite = null;
    node.writing =
      queued === null
        ? null
        : { state: queued, doneAt: this.now + (this.options.persistDelayMs ?? 0) };
    this.wrote(node, done.state);
  }

  private wrote(node: SimNode, state: PersistedState): void {
    node.disk = state;
    if (node.controller !== null)
      this.execute(node, node.controller.handle({ type: 'persisted', state, now: this.now }));
  }

  private boot(node: SimNode): void {
    node.restartAt = null;
    node.incarnations += 1;
    const timings = this.timings;
    const elevator: ElevatorConfig = {
      floors: this.floors,
      doorOpenMs: timings.doorOpenMs,
      motorTimeoutMs: timings.motorTimeoutMs,
      obstructionTimeoutMs: timings.obstructionTimeoutMs,
      ...this.options.parkTiming,
    };
    node.controller = new Controller(
      {
        id: node.id,
        elevator,
        peerTimeoutMs: timings.peerTimeoutMs,
        aloneHallCalls: this.options.aloneHallCalls ?? 'accept',
        assign: this.options.assign,
        park: this.options.park,
        // Every run numbers its calls above the last run's epoch and above anything older.
        epoch: Math.max(Math.floor(this.now), (node.disk?.epoch ?? -1) + 1),
      },
      node.disk,
    );
    node.incarnation = makeIncarnation(this.now + 1, node.incarnations);
    node.seq = 0;
    node.replay = new ReplayTracker();
    node.slicer = newSlicer(node.id);
    void node.endpoint.start();
    node.nextBroadcastAt = this.now + this.random.int(timings.broadcastIntervalMs);
    if (node.incarnations > 1) this.emit({ kind: 'restart', at: this.now, node: node.id });
    // A new process's driver writes its outputs on connecting: the door lamp goes off (the new
    // state machine starts with the door closed). Button lamps wait for the controller.
    if (node.doorLamp) {
      node.doorLamp = false;
      this.emit({ kind: 'door', at: this.now, node: node.id, open: false });
    }
    // What the driver reports on connecting: the sensor and the switches.
    node.sensor = node.car.floorSensor(this.now);
    this.handle(node, { type: 'floorSensor', floor: node.sensor, now: this.now });
    if (node.obstruction) this.handle(node, { type: 'obstruction', active: true, now: this.now });
  }

  private broadcast(node: SimNode): void {
    if (node.controller === null) return;
    node.broadcastSoon = false;
    node.nextBroadcastAt = this.now + this.timings.broadcastIntervalMs;
    node.seq += 1;
    const envelope = { from: node.id, incarnation: node.incarnation, seq: node.seq };
    const body = node.slicer.next(node.controller.snapshot(), this.now);
    const datagram = encodeEnvelope({ ...envelope, body }, { maxBytes: MAX_DATAGRAM_BYTES });
    node.bytesSent += datagram.length;
    node.endpoint.broadcast(datagram);
  }

  private deliver(node: SimNode, datagram: Uint8Array): void {
    if (node.controller === null) return;
    let result = this.decoded.get(datagram);
    if (result === undefined) {
      result = decodeEnvelope(datagram, { bodySchema: viewSliceSchema });
      this.decoded.set(datagram, result);
    }
    if (!result.ok)
      throw new Error(`the simulation produced an undecodable datagram: ${result.message}`);
    const { from, incarnation, seq, body } = result.envelope;
    if (from === node.id || node.replay.check(from, incarnation, seq) !== 'ok') return;
    this.handle(node, { type: 'peerMessage', from, body, now: this.now });
  }

  private handle(node: SimNode, event: Parameters<Controller['handle']>[0]): void {
    if (node.controller === null) return;
    const effects = node.controller.handle(event);
    this.execute(node, effects);
    // Like the driver (src/io/elevator-io.ts): after a motor command it reports the floor sensor
    // once more, read after the server got the command (here at the same instant).
    for (let guard = 0; node.sensorReportDue && node.controller !== null; guard++) {
      if (guard > 100) throw new Error(`${node.id}: motor commands without end at ${this.now} ms`);
      node.sensorReportDue = false;
      node.sensor = node.car.floorSensor(this.now);
      const floor = node.sensor;
      this.execute(node, node.controller.handle({ type: 'floorSensor', floor, now: this.now }));
    }
  }

  private execute(node: SimNode, effects: ControllerEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'motor':
          node.car.setMotor(e.direction, this.now);
          node.sensorReportDue = true;
          break;
        case 'reassertMotor':
          // CarPhysics keeps the last command across power loss: nothing to re-send; the driver
          // reports the sensor after it all the same.
          node.sensorReportDue = true;
          break;
        case 'doorLamp':
          node.doorLamp = e.on;
          this.emit({ kind: 'door', at: this.now, node: node.id, open: e.on });
          break;
        case 'floorIndicator':
        case 'stopLamp':
          break;
        case 'buttonLamp': {
          const key = `${e.button}:${e.floor}`;
          if ((node.lamps.get(key) ?? false) !== e.on) {
            node.lamps.set(key, e.on);
            this.emit({
              kind: 'lamp',
              at: this.now,
              node: node.id,
              button: e.button,
              floor: e.floor,
              on: e.on,
            });
          }
          break;
        }
        case 'persist': {
          const state = structuredClone(e.state);
          const delay = this.options.persistDelayMs ?? 0;
          if (delay <= 0) this.wrote(node, state);
          else if (node.writing === null) node.writing = { state, doneAt: this.now + delay };
          else node.queuedWrite = state;
          break;
        }
        case 'broadcastNow':
          node.broadcastSoon = true;
          break;
        case 'log':
          if (e.event === 'peerLost') {
            node.replay.forget(e.peer);
            this.emit({ kind: 'peerLost', at: this.now, node: node.id, peer: e.peer });
          }
          if (e.event === 'callServed')
            this.emit({
              kind: 'served',
              at: this.now,
              node: node.id,
              button: e.kind,
              floor: e.floor,
            });
          break;
      }
    }
  }

  private emit(o: ClusterObservation): void {
    for (const l of this.observers) l(o);
  }
}
