/**
 * A `ControllerNode` wired to in-memory fakes, for feeding it hostile input without sockets: the
 * elevator is a {@link FakeElevatorIo}, the peer transport lets a test inject datagrams exactly
 * where the UDP socket would deliver them, the state store keeps its state in memory, and the
 * clock is manual. Timers still run, so stop the node when done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Assigner } from '../core/assigner/index.js';
import type { ControllerEvent, PersistedState } from '../core/controller.js';
import { DurableStateStore, type LoadResult } from '../io/durable-state-store.js';
import { createHmacAuthenticator } from '../io/hmac.js';
import type { DatagramSource, PeerTransport } from '../io/peer-transport.js';
import { ControllerNode, type ControllerNodeDriver } from '../node/controller-node.js';
import { createNodeMetrics, type NodeMetrics } from '../node/metrics.js';
import type { NodeConfig } from '../node/node-config.js';
import { FakeElevatorIo } from './fake-elevator-io.js';
import { CONTROLLER_DEFAULTS } from '../core/timings.js';

/** A transport whose incoming datagrams come from the test; broadcasts are recorded. */
export class InjectableTransport implements PeerTransport {
  readonly sent: Uint8Array[] = [];
  readonly #listeners = new Set<(d: Uint8Array, s: DatagramSource) => void>();

  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  broadcast(datagram: Uint8Array): void {
    this.sent.push(datagram);
  }
  onDatagram(listener: (d: Uint8Array, s: DatagramSource) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** Delivers one datagram as the UDP socket would. */
  inject(datagram: Uint8Array): void {
    for (const l of this.#listeners) l(datagram, { address: '127.0.0.1', port: 1 });
  }
}

/** A state store that keeps the state in memory (the directory is created, never written). */
export class MemoryStateStore extends DurableStateStore {
  state: PersistedState | undefined;
  saves = 0;
  override load(): LoadResult {
    return this.state === undefined ? { kind: 'empty' } : { kind: 'loaded', state: this.state };
  }
  override save(state: PersistedState): void {
    this.saves += 1;
    this.state = structuredClone(state);
  }
}

/** A simple deterministic assigner: every hall call to the lexically first elevator. */
export const firstElevatorAssign: Assigner = (input) => {
  const ids = Object.keys(input.states).sort();
  const out: ReturnType<Assigner> = {};
  for (const id of ids) out[id] = input.hallRequests.map(() => [false, false]);
  const first = ids[0];
  if (first !== undefined) out[first] = input.hallRequests.map(([u, d]) => [u, d]);
  return out;
};

/** A node config for tests (overridable). */
export function testNodeConfig(overrides: Partial<NodeConfig> = {}): NodeConfig {
  return {
    id: 'a',
    server: { host: '127.0.0.1', port: 1 },
    floors: 4,
    stateDir: '.',
    peerPort: 1,
    broadcastAddress: '127.255.255.255',
    doorOpenMs: CONTROLLER_DEFAULTS.doorOpenMs,
    motorTimeoutMs: CONTROLLER_DEFAULTS.motorTimeoutMs,
    obstructionTimeoutMs: CONTROLLER_DEFAULTS.obstructionTimeoutMs,
    peerTimeoutMs: CONTROLLER_DEFAULTS.peerTimeoutMs,
    // The tests broadcast by hand (or on a change): no periodic broadcast gets in the way.
    broadcastIntervalMs: 60_000,
    aloneHallCalls: 'accept',
    assigner: 'test',
    metricsPort: undefined,
    logLevel: 'silent',
    key: undefined,
    pollIntervalMs: 10,
    serverTimeoutMs: 1000,
    ...overrides,
  };
}

/** A started node on fakes, with hooks to observe what reaches the controller. */
export interface HarnessNode {
  node: ControllerNode;
  io: FakeElevatorIo;
  transport: InjectableTransport;
  store: MemoryStateStore;
  metrics: NodeMetrics;
  config: NodeConfig;
  /** The manual clock, in ms. */
  clock: { now: number };
  /** Peer messages that reached `Controller.handle` (i.e. accepted by the decoder). */
  accepted: number;
  /** Runs a tick at the current clock (as the node's own loop would). */
  tick(): void;
  /** Runs the node's periodic broadcast now (what its timer would do). */
  broadcast(): void;
  /** Runs one beat of the node's own control loop, as its timer would every `tickMs`. */
  loopTick(tickMs: number): void;
  stop(): Promise<void>;
}

/** Starts a node on fakes. With `key`, peer messages must carry a valid HMAC. */
export async function startHarnessNode(
  options: {
    config?: Partial<NodeConfig>;
    assign?: Assigner;
    maxClockStepMs?: number;
    /** The node's logger (default: silent). */
    logger?: pino.Logger;
  } = {},
): Promise<HarnessNode> {
  const dir = mkdtempSync(join(tmpdir(), 'em-harness-'));
  const config = testNodeConfig({ stateDir: dir, ...options.config });
  const io = new FakeElevatorIo({ floors: config.floors, initialFloor: 0 });
  const transport = new InjectableTransport();
  const store = new MemoryStateStore(dir);
  const metrics = createNodeMetrics();
  const clock = { now: 1000 };
  let driver: ControllerNodeDriver | undefined;
  const node = new ControllerNode({
    config,
    logger: options.logger ?? pino({ level: 'silent' }),
    io,
    transport,
    store,
    assign: options.assign ?? firstElevatorAssign,
    now: () => clock.now,
    wallClock: () => 1_700_000_000_000,
    random: () => 0.5,
    auth: config.key === undefined ? undefined : createHmacAuthenticator(config.key),
    metrics,
    // The harness drives time itself; the node's interval timer would only add noise.
    tickMs: 3_600_000,
    ...(options.maxClockStepMs !== undefined && { maxClockStepMs: options.maxClockStepMs }),
    driver: (d) => (driver = d),
  });
  if (driver === undefined) throw new Error('the node did not hand over its driver');
  const drive = driver;
  const harness: HarnessNode = {
    node,
    io,
    transport,
    store,
    metrics,
    config,
    clock,
    accepted: 0,
    tick: () => {
      io.flush(); // what the event loop delivered before the timer fired
      // Ticks go through the same path as an elevator event would.
      drive.dispatch({ type: 'tick', now: clock.now });
    },
    broadcast: () => drive.broadcast(),
    loopTick: (tickMs) => drive.loopTick(tickMs),
    stop: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Count what the decoder lets through, at the exact point the node hands it to the core.
  const controller = node.controller;
  const original = controller.handle.bind(controller);
  controller.handle = (event: ControllerEvent) => {
    if (event.type === 'peerMessage') harness.accepted += 1;
    return original(event);
  };
  await node.start();
  return harness;
}
