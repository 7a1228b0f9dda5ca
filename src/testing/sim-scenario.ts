/**
 * Random scenarios for the deterministic simulation: a building of random size, random calls
 * throughout, and random faults (packet loss with duplication and reordering, crashes with and
 * without the disk, disconnects, motor power loss, long obstructions). Then the faults end and the
 * building must serve every lit call. Everything follows from the seed: a failing seed replays exactly.
 */
import { DISPATCH_NAMES, createDispatch } from '../core/assigner/index.js';
import { BUTTON_TYPES, type ButtonType } from '../core/types.js';
import { ClusterSim, type ClusterTimings } from '../simulation/cluster-sim.js';
import { InvariantChecker, type Violation } from './invariants.js';
import { SeededRandom } from '../simulation/seeded-random.js';

export interface ScenarioOptions {
  /** Elevators, or random in 1..5. */
  elevators?: number;
  /** Floors, or random in 2..10. */
  floors?: number;
  /** Length of the faulty, busy part in virtual ms (default 120 s). */
  durationMs?: number;
  /** Bound on serving every lit call once the faults end (default 300 s). */
  drainMs?: number;
  /** Dispatch strategy (`core/assigner/dispatch`), or drawn from the seed among all of them. */
  assigner?: string;
  timings?: Partial<ClusterTimings>;
  /** Sees the building before it runs (for debugging a failing seed). */
  inspect?: (sim: ClusterSim) => void;
}

export interface ScenarioResult {
  seed: number;
  elevators: number;
  floors: number;
  assigner: string;
  violations: Violation[];
  /** What happened, for the report of a failing seed. */
  events: string[];
  calls: number;
  faults: number;
  virtualMs: number;
}

/** Disk write times drawn from: instant, a healthy SSD, a slow disk, a stalled one. */
const PERSIST_DELAYS_MS = [0, 2, 20, 150] as const;

type Fault = 'loss' | 'crash' | 'disconnect' | 'motor' | 'obstruction';
const FAULTS: readonly Fault[] = ['loss', 'crash', 'disconnect', 'motor', 'obstruction'];

/** Runs one scenario to the end. */
export function runScenario(seed: number, options: ScenarioOptions = {}): ScenarioResult {
  const random = new SeededRandom(seed);
  const elevators = options.elevators ?? 1 + random.int(5);
  const floors = options.floors ?? 2 + random.int(9);
  const assigner =
    options.assigner ?? DISPATCH_NAMES[random.int(DISPATCH_NAMES.length)] ?? 'reference';
  const durationMs = options.durationMs ?? 120_000;
  const drainMs = options.drainMs ?? 300_000;
  // How long a state-file write takes (a slow or stalled disk), from a stream of its own so the
  // rest of the scenario a seed draws stays what it was.
  const persistDelayMs = new SeededRandom(seed ^ 0x5eed_d15c).pick(PERSIST_DELAYS_MS);
  const sim = new ClusterSim({
    seed: random.uint32(),
    elevators,
    floors,
    persistDelayMs,
    ...createDispatch(assigner),
    ...(options.timings === undefined ? {} : { timings: options.timings }),
  });
  const checker = new InvariantChecker(sim);
  options.inspect?.(sim);
  const events: string[] = [];
  const log = (text: string) => events.push(`${Math.round(sim.now)} ${text}`);
  const ids = sim.nodes.map((n) => n.id);
  log(`state-file writes take ${persistDelayMs} ms`);

  // Faults in progress: what ends them and when.
  const endings: { at: number; node: string | null; end: () => void }[] = [];
  let calls = 0;
  let faults = 0;
  const troubled = () => new Set(endings.flatMap((e) => (e.node === null ? [] : [e.node])));

  const startFault = (): void => {
    const kind = random.pick(FAULTS);
    const busy = troubled();
    // At least one elevator keeps working; never two disconnected at once (no partition into groups).
    const free = ids.filter((id) => !busy.has(id));
    if (kind !== 'loss' && (free.length === 0 || (elevators > 1 && busy.size >= elevators - 1)))
      return;
    const node = free.length > 0 ? random.pick(free) : '';
    const length = 3000 + random.int(25_000);
    faults += 1;
    switch (kind) {
      case 'loss': {
        const rate = random.pick([0.2, 0.5, 0.8]);
        const dup = random.chance(0.5) ? random.next() * 0.2 : 0;
        const jitter = random.int(30);
        sim.bus.setLoss(rate);
        sim.bus.setDupRate(dup);
        sim.bus.setDelay(1, 1 + jitter);
        log(`loss ${rate} dup ${dup.toFixed(2)} jitter ${jitter} ms for ${length} ms`);
        endings.push({
          at: sim.now + length,
          node: null,
          end: () => {
            sim.bus.setLoss(0);
            sim.bus.setDupRate(0);
            sim.bus.setDelay(1, 5);
          },
        });
        break;
      }
      case 'crash': {
        // Losing the disk too is a second failure; it is survivable only where a connected, running
        // peer holds the node's calls (with one elevator nothing else does: assumption 2).
        const others = ids.filter(
          (id) => id !== node && sim.node(id).alive && sim.bus.isConnected(id),
        );
        const loseDisk = random.chance(0.3) && others.length > 0 && sim.bus.isConnected(node);
        const downMs = 200 + random.int(3000);
        log(`crash ${node}${loseDisk ? ' losing its disk' : ''}, back after ${downMs} ms`);
        sim.crash(node, { loseDisk, restartAfterMs: downMs });
        endings.push({ at: sim.now + downMs + 1, node, end: () => undefined });
        break;
      }
      case 'disconnect':
        if (ids.some((id) => !sim.bus.isConnected(id))) return;
        log(`disconnect ${node} for ${length} ms`);
        sim.disconnect(node);
        endings.push({ at: sim.now + length, node, end: () => sim.reconnect(node) });
        break;
      case 'motor':
        log(`motor power loss on ${node} for ${length} ms`);
        sim.setMotorPower(node, false);
        endings.push({ at: sim.now + length, node, end: () => sim.setMotorPower(node, true) });
        break;
      case 'obstruction':
        log(`obstruction on ${node} for ${length} ms`);
        sim.setObstruction(node, true);
        endings.push({ at: sim.now + length, node, end: () => sim.setObstruction(node, false) });
        break;
    }
  };

  const press = (): void => {
    const node = random.pick(ids);
    const button: ButtonType = random.pick(BUTTON_TYPES);
    let floor = random.int(floors);
    if (button === 'hallUp' && floor === floors - 1) floor -= 1;
    if (button === 'hallDown' && floor === 0) floor = 1;
    calls += 1;
    log(`press ${button}@${floor} on ${node}`);
    sim.press(node, button, floor);
  };

  // Busy part: calls (Poisson, about one per elevator per 10 s) and faults (about one per 15 s).
  let nextCall = exponential(random, 10_000 / elevators);
  let nextFault = 2000 + exponential(random, 15_000);
  while (sim.now < durationMs) {
    const nextEnd = Math.min(...endings.map((e) => e.at), Infinity);
    const t = Math.min(nextCall, nextFault, nextEnd, durationMs);
    sim.runUntil(t);
    for (const e of endings.filter((x) => x.at <= sim.now)) {
      e.end();
      endings.splice(endings.indexOf(e), 1);
    }
    if (sim.now >= nextCall) {
      press();
      nextCall = sim.now + exponential(random, 10_000 / elevators);
    }
    if (sim.now >= nextFault) {
      startFault();
      nextFault = sim.now + exponential(random, 15_000);
    }
  }

  // The faults end; every lit call must now be served within the bound.
  for (const e of endings) e.end();
  log('faults end');
  const deadline = sim.now + drainMs;
  sim.runUntil(sim.now + 5000);
  checker.quiet = true;
  while (sim.now < deadline && !checker.allDark()) sim.runUntil(sim.now + 1000);
  sim.runUntil(sim.now + 2000);
  checker.checkAllServed();

  return {
    seed,
    elevators,
    floors,
    assigner,
    violations: checker.violations,
    events,
    calls,
    faults,
    virtualMs: sim.now,
  };
}

/** An exponentially distributed delay with the given mean (Poisson arrivals). */
function exponential(random: SeededRandom, mean: number): number {
  return -mean * Math.log(1 - random.next());
}

/** A readable account of a failed scenario, with the seed to replay it. */
export function describeFailure(result: ScenarioResult): string {
  const lines = [
    `scenario seed ${result.seed} (${result.elevators} elevators x ${result.floors} floors, ${result.assigner}) failed; replay with SIM_SEED=${result.seed}`,
    ...result.violations.map((v) => `  at ${Math.round(v.at)} ms: ${v.rule}: ${v.detail}`),
    '  last events:',
    ...result.events.slice(-25).map((e) => `    ${e}`),
  ];
  return lines.join('\n');
}
