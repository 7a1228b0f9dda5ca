/**
 * The controller process's shell: it wires the deterministic `Controller` to the real world — the
 * elevator server driver, the UDP peer transport, the durable state file, the clock, the logs and
 * the metrics — and executes the controller's effects. It makes no decisions of its own.
 */
import type { Logger } from 'pino';
import type { Assigner, ParkPolicy, ParkTiming } from '../core/assigner/index.js';
import { Controller, type ControllerEffect, type ControllerEvent } from '../core/controller.js';
import { isLit, phaseOf } from '../core/call-register.js';
import type { ElevatorIo, ElevatorInputEvent } from '../io/elevator-io.js';
import { Heartbeat } from '../io/heartbeat.js';
import type { DurableStateStore } from '../io/durable-state-store.js';
import type { DatagramSource, PeerTransport } from '../io/peer-transport.js';
import {
  PeerEnvelopeCodec,
  makeIncarnation,
  type MessageAuthenticator,
} from '../protocol/peer-envelope.js';
import { ViewSlicer, sliceBodyBytes } from '../protocol/view-slicer.js';
import { MAX_DATAGRAM_BYTES, peerIdSchema, viewSliceSchema } from '../protocol/world-message.js';
import { DatagramBudget } from './datagram-budget.js';
import type { NodeMetrics } from './metrics.js';
import type { NodeConfig } from './node-config.js';

export interface ControllerNodeDeps {
  config: NodeConfig;
  logger: Logger;
  io: ElevatorIo;
  transport: PeerTransport;
  store: DurableStateStore;
  assign: Assigner;
  /** Idle-car parking (absent: none). */
  park?: ParkPolicy | undefined;
  /** When parking cars leave (absent: at once). */
  parkTiming?: ParkTiming | undefined;
  /** Monotonic clock in ms (performance.now in production). */
  now: () => number;
  /** Wall clock in ms, used only to number this run (epoch, incarnation), never to decide. */
  wallClock: () => number;
  random: () => number;
  auth?: MessageAuthenticator | undefined;
  metrics?: NodeMetrics | undefined;
  /** How often the control loop ticks (deadlines, peer timeouts; default 20). Inputs and peer
   * messages are handled as they come, not on a tick, so this bounds only timer accuracy. */
  tickMs?: number;
  /**
   * The timer the tick and the periodic broadcast run on. Production passes the one the elevator
   * driver polls on, so the process wakes once a beat for all three (src/io/heartbeat.ts). Absent:
   * one of its own, beating at the shorter of the tick and the broadcast interval.
   */
  heartbeat?: Heartbeat;
  /**
   * A starved process (docs/design.md): the controller's clock counts at most this many ms for one
   * gap between two readings of `now` (the loop reads it every tick), so time the process was not
   * scheduled (SIGSTOP, a GC pause, a blocking disk write) does not count towards its deadlines:
   * no motor failure, door time or peer timeout expires just because the node itself did not
   * run. Absent: the clock is `now` as it is (tests that drive time by hand).
   */
  maxClockStepMs?: number;
  /**
   * For a simulation or a test that drives the node by hand: called once, while the node is
   * constructed, with the node's own entry points (see {@link ControllerNodeDriver}).
   */
  driver?: (driver: ControllerNodeDriver) => void;
}

/**
 * The entry points the node's timers and inputs run, for whoever drives the node by hand instead
 * (src/testing/node-harness.ts): the same code paths, nothing skipped, no timer needed.
 */
export interface ControllerNodeDriver {
  /** One beat of the control loop, as its timer runs it every `tickMs`. */
  loopTick(tickMs: number): void;
  /** The periodic broadcast, as its timer runs it. */
  broadcast(): void;
  /** Hands one event to the controller and executes its effects, as every input does. */
  dispatch(event: ControllerEvent): void;
}

/** One running controller node. */
export class ControllerNode {
  readonly controller: Controller;
  private readonly deps: ControllerNodeDeps;
  private readonly codec: PeerEnvelopeCodec<typeof viewSliceSchema>;
  /** Chooses what each datagram carries, so each fits in one frame. */
  private readonly slicer: ViewSlicer;
  private readonly log: Logger;
  private unsubscribe: (() => void)[] = [];
  private broadcastQueued = false;
  private stopped = false;
  /** Demo and test hook: behave as if the network cable were pulled. */
  private networkCut = false;
  private connectedOnce = false;
  private lastTickAt = 0;
  /** The controller's clock (see `maxClockStepMs`): real time minus the stalls. */
  private lastRealNow: number | undefined;
  private stalledMs = 0;
  private lastStallLogAt = -Infinity;
  private broadcastFailures = 0;
  /** Bounds the CPU a datagram flood can take from the control loop. */
  private readonly budget = new DatagramBudget();
  private rateLimited = 0;
  /** The metrics' call gauges lag the view (refreshed on a tick, at most every 250 ms). */
  private gaugesDirty = true;
  private gaugesAt = -Infinity;

  constructor(deps: ControllerNodeDeps) {
    this.deps = deps;
    const { config } = deps;
    this.log = deps.logger;
    const loaded = deps.store.load(config.floors);
    if (loaded.kind === 'corrupt')
      this.log.error(
        { reason: loaded.reason, movedTo: loaded.movedTo },
        'state file unreadable; moved aside, starting from the peers',
      );
    const restored = loaded.kind === 'loaded' ? loaded.state : undefined;
    // Number this run above every earlier one, even if the wall clock went back.
    const epoch = Math.max(Math.floor(deps.wallClock()), (restored?.epoch ?? -1) + 1);
    this.controller = new Controller(
      {
        id: config.id,
        elevator: {
          floors: config.floors,
          doorOpenMs: config.doorOpenMs,
          motorTimeoutMs: config.motorTimeoutMs,
          obstructionTimeoutMs: config.obstructionTimeoutMs,
          ...deps.parkTiming,
        },
        peerTimeoutMs: config.peerTimeoutMs,
        aloneHallCalls: config.aloneHallCalls,
        assign: deps.assign,
        park: deps.park,
        dispatchName: deps.config.assigner,
        epoch,
      },
      restored,
    );
    this.codec = new PeerEnvelopeCodec({
      selfId: config.id,
      incarnation: makeIncarnation(epoch, Math.floor(deps.random() * 1024)),
      bodySchema: viewSliceSchema,
      auth: deps.auth,
      maxBytes: MAX_DATAGRAM_BYTES,
    });
    this.slicer = new ViewSlicer({
      bodyBytes: sliceBodyBytes(config.id, deps.auth),
    });
    this.log.info(
      {
        restored: loaded.kind,
        cabCalls: this.controller.cabLights().filter(Boolean).length,
        epoch,
      },
      'controller starting',
    );
    if (deps.auth === undefined)
      this.log.warn(
        'no shared key (ELEVATOR_KEY or "key" in the config file): any host on the LAN can inject calls',
      );
    deps.driver?.({
      loopTick: (tickMs) => this.onTick(tickMs),
      broadcast: () => this.broadcast(),
      dispatch: (event) => this.dispatch(event),
    });
  }

  /** Starts the loops. The controller's lamps are set before the driver connects, so the first resync is right. */
  async start(): Promise<void> {
    const { io, transport, config } = this.deps;
    this.dispatch({ type: 'tick', now: this.now() });
    this.unsubscribe.push(io.onEvent((e) => this.onElevatorEvent(e)));
    this.unsubscribe.push(transport.onDatagram((d, s) => this.onDatagram(d, s)));
    await transport.start();
    await io.start();
    this.lastTickAt = this.deps.now();
    const tickMs = this.deps.tickMs ?? 20;
    const heartbeat =
      this.deps.heartbeat ?? new Heartbeat(Math.min(tickMs, config.broadcastIntervalMs));
    this.unsubscribe.push(
      heartbeat.every(tickMs, () => this.onTick(tickMs)),
      heartbeat.every(config.broadcastIntervalMs, () => this.broadcast()),
    );
    this.log.info(
      {
        server: `${config.server.host}:${config.server.port}`,
        peerPort: config.peerPort,
        broadcast: config.broadcastAddress,
      },
      'controller running',
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    await this.deps.io.stop();
    await this.deps.transport.stop();
    this.log.info('controller stopped');
  }

  /** Demo/test hook: drop every peer datagram in and out, as if the cable were pulled. */
  setNetworkCut(cut: boolean): void {
    this.networkCut = cut;
    this.log.warn({ cut }, cut ? 'network cut (simulated)' : 'network restored (simulated)');
  }

  get isNetworkCut(): boolean {
    return this.networkCut;
  }

  /** The controller's clock: `deps.now` with the stalls taken out (see `maxClockStepMs`). */
  private now(): number {
    const real = this.deps.now();
    const max = this.deps.maxClockStepMs;
    if (max !== undefined && this.lastRealNow !== undefined) {
      const gap = real - this.lastRealNow;
      if (gap > max) this.stalledMs += gap - max;
    }
    this.lastRealNow = Math.max(real, this.lastRealNow ?? real);
    return real - this.stalledMs;
  }

  private onTick(tickMs: number): void {
    const real = this.deps.now();
    // How late this tick is: the control loop's latency (a stalled event loop shows here).
    const lateness = Math.max(0, real - this.lastTickAt - tickMs);
    this.lastTickAt = real;
    this.deps.metrics?.controlLoopLatency.observe(lateness / 1000);
    if (lateness > (this.deps.maxClockStepMs ?? Infinity) && real - this.lastStallLogAt > 1000) {
      this.lastStallLogAt = real;
      this.log.warn(
        { lateMs: Math.round(lateness) },
        'control loop stalled; the stall does not count',
      );
    }
    this.dispatch({ type: 'tick', now: this.now() });
    if (this.gaugesDirty && real - this.gaugesAt >= 250) {
      this.gaugesDirty = false;
      this.gaugesAt = real;
      this.updateGauges();
    }
  }

  private onElevatorEvent(e: ElevatorInputEvent): void {
    const now = this.now();
    switch (e.type) {
      case 'button':
        this.dispatch({ type: 'button', button: e.button, floor: e.floor, now });
        break;
      case 'floor':
        this.dispatch({ type: 'floorSensor', floor: e.floor, now });
        break;
      case 'obstruction':
        this.dispatch({ type: 'obstruction', active: e.active, now });
        break;
      case 'stopButton':
        this.dispatch({ type: 'stopButton', pressed: e.pressed, now });
        break;
      case 'connection':
        if (e.connected && this.connectedOnce) this.deps.metrics?.serverReconnects.inc();
        if (e.connected) this.connectedOnce = true;
        this.log[e.connected ? 'info' : 'warn'](
          e.connected ? 'elevator server connected' : 'elevator server lost; reconnecting',
        );
        this.dispatch({ type: 'elevatorConnection', connected: e.connected, now });
        break;
    }
  }

  private onDatagram(datagram: Uint8Array, source: DatagramSource): void {
    if (this.networkCut || this.stopped) return;
    if (!this.budget.admit(`${source.address}:${source.port}`, this.deps.now())) {
      // Refused before any parsing: that is the point. Counted, and logged sparingly.
      this.rateLimited += 1;
      this.deps.metrics?.messagesDropped.inc({ reason: 'rate-limited' });
      if (this.rateLimited === 1 || this.rateLimited % 10_000 === 0)
        this.log.warn({ reason: 'rate-limited', count: this.rateLimited }, 'peer message dropped');
      return;
    }
    const result = this.codec.decode(datagram);
    if (!result.ok) {
      if (result.code !== 'own-message') {
        this.deps.metrics?.messagesDropped.inc({ reason: result.code });
        const count = this.codec.stats.rejected[result.code];
        // One line per reason, then every 1000th: a flood must not flood the log too.
        if (count === 1 || count % 1000 === 0)
          this.log.warn(
            { reason: result.code, count, detail: result.message },
            'peer message dropped',
          );
      }
      return;
    }
    // The envelope allows any short sender id; the mesh only node ids, which this node repeats in
    // its own broadcasts (where a bad one would make every peer drop them).
    if (!peerIdSchema.safeParse(result.envelope.from).success) {
      this.deps.metrics?.messagesDropped.inc({ reason: 'malformed' });
      return;
    }
    this.dispatch({
      type: 'peerMessage',
      from: result.envelope.from,
      body: result.envelope.body,
      now: this.now(),
    });
  }

  private broadcast(): void {
    this.broadcastQueued = false;
    if (this.networkCut || this.stopped) return;
    let datagram: Uint8Array;
    try {
      datagram = this.codec.encode(this.slicer.next(this.controller.snapshot(), this.deps.now()));
    } catch (err) {
      // A slice over the bound is a bug; it must not kill the control loop, which runs from this
      // timer's thread. The elevator keeps being driven; peers miss us.
      this.broadcastFailures += 1;
      if (this.broadcastFailures === 1 || this.broadcastFailures % 100 === 0)
        this.log.error({ err, count: this.broadcastFailures }, 'cannot encode broadcast');
      return;
    }
    this.deps.transport.broadcast(datagram);
  }

  private dispatch(event: ControllerEvent): void {
    if (this.stopped) return;
    const effects = this.controller.handle(event);
    for (const effect of effects) this.execute(effect);
    this.gaugesDirty = true;
  }

  private execute(effect: ControllerEffect): void {
    const { io } = this.deps;
    switch (effect.type) {
      case 'motor':
        io.setMotor(effect.direction);
        break;
      case 'reassertMotor':
        io.reassertMotor();
        break;
      case 'doorLamp':
        io.setDoorLamp(effect.on);
        break;
      case 'floorIndicator':
        io.setFloorIndicator(effect.floor);
        break;
      case 'buttonLamp':
        io.setButtonLamp(effect.button, effect.floor, effect.on);
        break;
      case 'stopLamp':
        io.setStopLamp(effect.on);
        break;
      case 'persist':
        this.deps.store.save(effect.state);
        this.dispatch({ type: 'persisted', state: effect.state, now: this.now() });
        break;
      case 'broadcastNow':
        if (!this.broadcastQueued) {
          this.broadcastQueued = true;
          setImmediate(() => this.broadcast());
        }
        break;
      case 'log': {
        const { type: _type, event, ...details } = effect;
        if (event === 'peerLost') this.codec.forgetSender(effect.peer);
        if (event === 'reassigned') this.deps.metrics?.reassignments.inc();
        const level =
          event === 'peerLost' ||
          event === 'peerIgnored' ||
          event === 'outOfService' ||
          event === 'hallCallRefused' ||
          event === 'dispatchMismatch'
            ? 'warn'
            : 'info';
        this.log[level]({ event, ...details }, event);
        break;
      }
    }
  }

  private updateGauges(): void {
    const m = this.deps.metrics;
    if (m === undefined) return;
    const c = this.controller;
    m.peersAlive.set(c.alivePeers().length - 1);
    const counts = {
      hall: { unconfirmed: 0, confirmed: 0 },
      cab: { unconfirmed: 0, confirmed: 0 },
    };
    for (let f = 0; f < c.floors; f++) {
      for (const b of ['hallUp', 'hallDown'] as const) {
        const phase = phaseOf(c.register(b, f));
        if (phase !== 'none') counts.hall[phase] += 1;
      }
      const cab = c.register({ cab: c.id }, f);
      if (isLit(cab)) counts.cab.confirmed += 1;
      else if (phaseOf(cab) === 'unconfirmed') counts.cab.unconfirmed += 1;
    }
    m.setCalls(counts);
  }
}
