/**
 * The invariant checker of the deterministic simulation: it watches a `ClusterSim` at every step
 * and records every violation of the service guarantee, as a person at the lab would see it
 * (lamps, doors, cars) plus the one thing only the simulation can see (where each call is stored).
 */
import { isLit, phaseOf } from '../core/call-register.js';
import type { ButtonType } from '../core/types.js';
import { registerFromWire } from '../core/view-message.js';
import type { ClusterObservation, ClusterSim, SimNode } from '../simulation/cluster-sim.js';

export interface Violation {
  at: number;
  rule: string;
  detail: string;
}

const HALL: readonly ['hallUp', 'hallDown'] = ['hallUp', 'hallDown'];

/** Watches a building; `violations` fills up as rules break. */
export class InvariantChecker {
  readonly violations: Violation[] = [];
  /** When quiet, hall lights must agree across nodes (no fault and no loss for a while). */
  quiet = false;
  private readonly sim: ClusterSim;
  private readonly doorOpenMs: number;
  /** Each node's lit lamps, by `node|button|floor`: since when, and the call instances it showed. */
  private readonly litSince = new Map<string, { at: number; instances: [string, number][] }>();
  /**
   * Per call (`button|floor`, or `node|cab|floor`), per origin: the newest instance a car has
   * physically served. A light may go off only once every instance it showed is served.
   */
  private readonly servedMarks = new Map<string, Map<string, number>>();
  private readonly lastHallServe = new Map<string, number>();
  private disagreeSince: number | null = null;
  /** When each node last crashed. */
  private readonly crashedAt = new Map<string, number>();

  constructor(sim: ClusterSim) {
    this.sim = sim;
    this.doorOpenMs = sim.timings.doorOpenMs;
    sim.observe((o) => this.onObservation(o));
    sim.afterEachStep(() => this.onStep());
  }

  private fail(rule: string, detail: string): void {
    if (this.violations.length < 20) this.violations.push({ at: this.sim.now, rule, detail });
  }

  private onObservation(o: ClusterObservation): void {
    switch (o.kind) {
      case 'served':
        this.onServed(o.node, o.button, o.floor, o.at);
        break;
      case 'lamp':
        if (o.on) this.onLampOn(o.node, o.button, o.floor, o.at);
        else this.onLampOff(o.node, o.button, o.floor);
        break;
      case 'crash':
        this.crashedAt.set(o.node, o.at);
        // A restarted controller does not remember the direction it announced before the crash;
        // its next door cycle is a new arrival (documented in docs/design.md).
        for (const key of [...this.lastHallServe.keys()])
          if (key.startsWith(`${o.node}|`)) this.lastHallServe.delete(key);
        break;
      case 'door':
      case 'restart':
        break;
    }
  }

  private onServed(id: string, button: ButtonType, floor: number, at: number): void {
    const node = this.sim.node(id);
    const sensor = node.car.floorSensor(at);
    if (sensor !== floor || !node.doorLamp)
      this.fail(
        'served only where the car stands with its door open',
        `${id} cleared ${button}@${floor} with the car at ${String(sensor)}, door ${node.doorLamp ? 'open' : 'closed'}`,
      );
    const register = node.controller?.register(regKind(button, id), floor) ?? {};
    const key = callKey(id, button, floor);
    const marks = this.servedMarks.get(key) ?? new Map<string, number>();
    for (const [origin, m] of Object.entries(register))
      marks.set(origin, Math.max(marks.get(origin) ?? 0, m.s));
    this.servedMarks.set(key, marks);
    if (button === 'cab') return;
    const other = button === 'hallUp' ? 'hallDown' : 'hallUp';
    const previous = this.lastHallServe.get(`${id}|${other}|${floor}`);
    if (previous !== undefined && at - previous < this.doorOpenMs - 1)
      this.fail(
        'one arrival never clears both directions',
        `${id} cleared ${other} and ${button} at floor ${floor} ${Math.round(at - previous)} ms apart`,
      );
    this.lastHallServe.set(`${id}|${button}|${floor}`, at);
  }

  private onLampOn(id: string, button: ButtonType, floor: number, at: number): void {
    const node = this.sim.node(id);
    const register = node.controller?.register(regKind(button, id), floor) ?? {};
    const instances = Object.entries(register)
      .filter(([, m]) => m.k > m.s)
      .map(([o, m]): [string, number] => [o, m.k]);
    this.litSince.set(`${id}|${button}|${floor}`, { at, instances });
    // Where is this call stored? Nodes that hold it (pending or lit) and the lighting node's disk.
    const holders = this.sim.nodes.filter(
      (n) =>
        n.controller !== null &&
        phaseOf(n.controller.register(regKind(button, id), floor)) !== 'none',
    ).length;
    const onDisk = diskHolds(node, button, floor);
    if (button === 'cab') {
      if (!onDisk)
        this.fail('a cab light is on only once the call is on disk', `${id} cab@${floor}`);
      const peers = node.controller?.alivePeers() ?? [];
      // A peer the owner still counts alive that crashed within the last peer timeout (so the
      // owner cannot know yet) may have been the holder the owner confirmed on: that is a failure
      // that has happened, not a light lit too early, and the owner's disk and memory are what the
      // guarantee leaves. (Slow disk writes widen that window: the light waits for the disk.)
      const peerTimeoutMs = this.sim.timings.peerTimeoutMs;
      const witnessDied = () =>
        peers.some((p) => p !== id && at - (this.crashedAt.get(p) ?? -Infinity) < peerTimeoutMs);
      if (peers.length > 1 && holders < 2 && !witnessDied())
        this.fail('a cab light is on only once a peer holds the call', `${id} cab@${floor}`);
      return;
    }
    if (holders + (onDisk ? 1 : 0) < 2)
      this.fail(
        'a hall light is on only where a single failure cannot lose the call',
        `${id} ${button}@${floor}: ${holders} node(s) hold it, disk ${onDisk ? 'yes' : 'no'}`,
      );
  }

  private onLampOff(id: string, button: ButtonType, floor: number): void {
    const lit = this.litSince.get(`${id}|${button}|${floor}`);
    this.litSince.delete(`${id}|${button}|${floor}`);
    if (lit === undefined) return;
    const marks = this.servedMarks.get(callKey(id, button, floor));
    const unserved = lit.instances.filter(([o, k]) => (marks?.get(o) ?? 0) < k);
    if (unserved.length > 0)
      this.fail(
        button === 'cab'
          ? 'a cab light goes off only when its own elevator serves it'
          : 'a hall light goes off only when the call was served',
        `${id} ${button}@${floor} lit at ${Math.round(lit.at)}; unserved ${JSON.stringify(unserved)}`,
      );
  }

  private onStep(): void {
    const now = this.sim.now;
    for (const n of this.sim.nodes) {
      const car = n.car.state(now);
      if (n.doorLamp && car.moving !== 'stop')
        this.fail('the door is never open while the car moves', `${n.id} moving ${car.moving}`);
      if (car.outOfBounds)
        this.fail('the motor is never driven past the top or bottom floor', `${n.id}`);
    }
    if (!this.quiet) {
      this.disagreeSince = null;
      return;
    }
    const alive = this.sim.nodes.filter((n) => n.alive);
    const first = alive[0];
    const differ =
      first !== undefined &&
      alive.some((n) => {
        for (let f = 0; f < this.sim.floors; f++)
          for (const b of HALL) if (n.lamp(b, f) !== first.lamp(b, f)) return true;
        return false;
      });
    if (!differ) this.disagreeSince = null;
    else {
      this.disagreeSince ??= now;
      if (now - this.disagreeSince > 1000) {
        this.fail('hall lights agree across panels under normal conditions', 'for over 1 s');
        this.disagreeSince = now;
      }
    }
  }

  /** At the end of a run whose faults ended long enough ago: every light that came on was served. */
  checkAllServed(): void {
    for (const [key, lit] of this.litSince)
      this.fail(
        'every call whose light came on is served',
        `${key} lit since ${Math.round(lit.at)}`,
      );
    for (const n of this.sim.nodes) {
      const c = n.controller;
      if (c === null) {
        this.fail('every node is running at the end', n.id);
        continue;
      }
      c.hallLights().forEach(([u, d], f) => {
        if (u || d) this.fail('no call is left lit in any view', `${n.id} hall@${f}`);
      });
      c.cabLights().forEach((on, f) => {
        if (on) this.fail('no call is left lit in any view', `${n.id} cab@${f}`);
      });
    }
  }

  /** Whether the building has no lit call anywhere (used to end a drain early). */
  allDark(): boolean {
    if (this.litSince.size > 0) return false;
    return this.sim.nodes.every(
      (n) =>
        n.controller !== null &&
        n.controller.hallLights().every(([u, d]) => !u && !d) &&
        n.controller.cabLights().every((x) => !x) &&
        n.controller.elevator.behaviour !== 'doorOpen',
    );
  }
}

function callKey(node: string, button: ButtonType, floor: number): string {
  return button === 'cab' ? `${node}|cab|${floor}` : `${button}|${floor}`;
}

function regKind(button: ButtonType, owner: string): 'hallUp' | 'hallDown' | { cab: string } {
  return button === 'cab' ? { cab: owner } : button;
}

function diskHolds(node: SimNode, button: ButtonType, floor: number): boolean {
  const disk = node.disk;
  if (disk === undefined) return false;
  const wire = button === 'cab' ? disk.cab[floor] : disk.hall[floor]?.[button === 'hallUp' ? 0 : 1];
  if (wire === undefined) return false;
  const reg = registerFromWire(wire);
  return isLit(reg) || phaseOf(reg) !== 'none';
}
