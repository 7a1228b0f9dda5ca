/**
 * The flood experiment, shared by the flood test and `src/bench/flood.ts`: a real node process
 * (`elevator-mesh node`) against our simulator, a hostile sender process blasting its peer port,
 * calls pressed through the simulator's control API during the flood, and the node's own
 * Prometheus metrics read before and after.
 *
 * What it measures: the control loop's latency during the flood (the node's
 * `elevator_control_loop_latency_seconds` histogram, the difference between two scrapes), the
 * datagrams the node dropped by reason, and for every call pressed: when its lamp went on, when
 * the car arrived (door open at the floor) and when the lamp went off. It also watches every lamp
 * for the whole run, so a lamp that goes off without the car having come (a lost call) or stays on
 * at the end (a call nobody serves) shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { ButtonType } from '../core/types.js';
import { startSimulator, type SimState, type Simulator } from '../sim/sim-server.js';
import type { FloodSenderReport } from './flood-sender.js';
import { freeTcpPort, freeUdpPort } from '../io/free-ports.js';
import { SeededRandom } from '../simulation/seeded-random.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts')];

export interface FloodOptions {
  /** Shared key of the node (min 16 chars); without one the node accepts any well-formed envelope. */
  key?: string | undefined;
  rate?: number;
  seconds?: number;
  seed?: number;
  floors?: number;
  /** How often a call is pressed during the flood, ms. */
  pressEveryMs?: number;
  /** How long after the flood every call must be served and every lamp off, ms. */
  settleMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One pressed call and what became of it (times in ms from the start of the flood). */
export interface CallOutcome {
  button: ButtonType;
  floor: number;
  pressedAt: number;
  litAt: number | null;
  arrivedAt: number | null;
  servedAt: number | null;
}

export interface FloodReport {
  mode: 'key' | 'nokey';
  seed: number;
  sender: FloodSenderReport | null;
  /** Control-loop ticks observed during the flood and their lateness (seconds). */
  loop: {
    ticks: number;
    meanSeconds: number;
    /** Upper bound of the highest histogram bucket reached ("+Inf" above the last). */
    worstBucket: string;
    /** Ticks per bucket upper bound, during the flood only. */
    buckets: Record<string, number>;
  };
  /** Datagrams the node dropped during the flood, by reason. */
  dropped: Record<string, number>;
  /** The node's metrics endpoint polled every 100 ms during the flood: its slowest answer. */
  probe: { count: number; worstMs: number };
  calls: CallOutcome[];
  /** Lamps that went off while the car had not been at their floor with the door open. */
  lampsClearedWithoutService: string[];
  /** Lamps still on at the end. */
  lampsOnAtEnd: string[];
  carAtEnd: SimState['car'];
  /** Whether the node process was still running when the flood ended. */
  nodeAliveAfterFlood: boolean;
  nodeExit: string | null;
}

interface Scrape {
  buckets: Map<string, number>;
  sum: number;
  count: number;
  dropped: Map<string, number>;
}

function parseMetrics(text: string): Scrape {
  const scrape: Scrape = { buckets: new Map(), sum: 0, count: 0, dropped: new Map() };
  for (const line of text.split('\n')) {
    let m = /^elevator_control_loop_latency_seconds_bucket\{le="([^"]+)"\} (\S+)$/.exec(line);
    if (m?.[1] !== undefined) scrape.buckets.set(m[1], Number(m[2]));
    m = /^elevator_control_loop_latency_seconds_sum (\S+)$/.exec(line);
    if (m) scrape.sum = Number(m[1]);
    m = /^elevator_control_loop_latency_seconds_count (\S+)$/.exec(line);
    if (m) scrape.count = Number(m[1]);
    m = /^elevator_messages_dropped_total\{reason="([^"]+)"\} (\S+)$/.exec(line);
    if (m?.[1] !== undefined) scrape.dropped.set(m[1], Number(m[2]));
  }
  return scrape;
}

const lampKey = (button: ButtonType, floor: number): string => `${button}:${floor}`;

function litLamps(state: SimState): Set<string> {
  const lit = new Set<string>();
  state.lamps.hall.forEach(([up, down], f) => {
    if (up) lit.add(lampKey('hallUp', f));
    if (down) lit.add(lampKey('hallDown', f));
  });
  state.lamps.cab.forEach((on, f) => {
    if (on) lit.add(lampKey('cab', f));
  });
  return lit;
}

/** Watches every lamp: when it went on, whether the car came, whether it went off unserved. */
class LampWatcher {
  readonly onSince = new Map<string, { at: number; visited: boolean }>();
  readonly clearedWithoutService: string[] = [];
  readonly history: { key: string; on: number; off: number; visited: boolean }[] = [];

  update(state: SimState, t: number): void {
    const lit = litLamps(state);
    const doorAt = state.lamps.door && state.car.floor !== null ? state.car.floor : null;
    for (const key of lit)
      if (!this.onSince.has(key)) this.onSince.set(key, { at: t, visited: false });
    for (const [key, entry] of this.onSince) {
      const floor = Number(key.split(':')[1]);
      if (doorAt === floor) entry.visited = true;
      if (!lit.has(key)) {
        this.onSince.delete(key);
        this.history.push({ key, on: entry.at, off: t, visited: entry.visited });
        if (!entry.visited) this.clearedWithoutService.push(`${key}@${Math.round(t)}ms`);
      }
    }
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
}

/** Runs one flood experiment; never leaves a process behind. */
export async function runFlood(options: FloodOptions = {}): Promise<FloodReport> {
  const rate = options.rate ?? 10_000;
  const seconds = options.seconds ?? 10;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const floors = options.floors ?? 4;
  const pressEveryMs = options.pressEveryMs ?? 1000;
  const settleMs = options.settleMs ?? 8000;
  const log = options.log ?? (() => undefined);
  const mode = options.key === undefined ? 'nokey' : 'key';
  const random = new SeededRandom(seed);
  const stateDir = mkdtempSync(join(tmpdir(), 'em-flood-'));
  const children: ChildProcess[] = [];
  let sim: Simulator | undefined;

  try {
    sim = await startSimulator({
      port: 0,
      controlPort: 0,
      floors,
      // Car-like physics (the simulator's defaults are 2000/500): a stall of the node's loop longer
      // than the passing time makes the car overshoot the floor it should stop at.
      travelMs: 1000,
      passingMs: 400,
      startFloor: 0,
      logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    });
    const s = sim;
    const watcher = new LampWatcher();
    const t0 = { at: performance.now() };
    const since = (): number => performance.now() - t0.at;
    s.onChange((e) => watcher.update(e.state, since()));

    const peerPort = await freeUdpPort();
    const metricsPort = await freeTcpPort();
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ELEVATOR_LOG_LEVEL: process.env.FLOOD_NODE_LOG_LEVEL ?? 'warn',
    };
    delete env.ELEVATOR_KEY;
    delete env.ELEVATOR_KEY_FILE;
    delete env.ELEVATOR_CONFIG;
    if (options.key !== undefined) env.ELEVATOR_KEY = options.key;
    const node = spawn(
      process.execPath,
      [
        // For profiling a run: FLOOD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
        ...(process.env.FLOOD_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
        ...CLI,
        'node',
        ...['--id', 'flood-victim', '--server', `127.0.0.1:${s.port}`],
        ...['--state-dir', stateDir, '--floors', String(floors)],
        ...['--peer-port', String(peerPort), '--broadcast-address', '127.255.255.255'],
        ...['--assigner', 'reference', '--metrics-port', String(metricsPort)],
        ...['--door-open-ms', '400'],
      ],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(node);
    // An object, not a `let`: TypeScript cannot see that the exit handler assigns it.
    const exit: { reason: string | null } = { reason: null };
    node.on('exit', (code, signal) => (exit.reason = `code ${code} signal ${signal}`));
    lines(node, (line) => {
      try {
        const entry = JSON.parse(line) as { level?: number };
        if ((entry.level ?? 0) >= 50 || process.env.FLOOD_NODE_LOG === 'all') log(`node: ${line}`);
      } catch {
        // not a log line
      }
    });
    let metricsUp = false;
    const startDeadline = performance.now() + 20_000;
    while (!(metricsUp && s.state().clientConnected)) {
      if (exit.reason !== null) throw new Error(`the node exited: ${exit.reason}`);
      if (performance.now() > startDeadline)
        throw new Error('the node did not start (no metrics, or not driving the simulator)');
      metricsUp = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const scrape = async (): Promise<Scrape> => parseMetrics(await (await fetch(url)).text());

    const press = async (button: ButtonType, floor: number): Promise<void> => {
      const res = await fetch(`http://127.0.0.1:${s.controlPort}/press`, {
        method: 'POST',
        body: JSON.stringify({ button, floor }),
      });
      if (res.status !== 200) throw new Error(`press refused: ${await res.text()}`);
    };

    // Warm-up: the node drives the car and serves a call before the flood.
    await press('cab', floors - 1);
    if (!(await waitFor(() => s.state().lamps.cab[floors - 1] === true, 10_000)))
      throw new Error('warm-up call never lit');
    if (!(await waitFor(() => s.state().lamps.cab[floors - 1] === false, 10_000)))
      throw new Error('warm-up call never served');
    log(`node up (metrics ${url}); flooding ${rate}/s for ${seconds}s, mode ${mode}, seed ${seed}`);

    const before = await scrape();
    t0.at = performance.now();
    const sender = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', join(REPO_ROOT, 'src/bench/flood-sender.ts')],
        ...['--port', String(peerPort), '--rate', String(rate), '--seconds', String(seconds)],
        ...['--mode', mode, '--seed', String(seed), '--floors', String(floors)],
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(sender);
    let senderReport: FloodSenderReport | null = null;
    lines(sender, (line) => {
      try {
        senderReport = JSON.parse(line) as FloodSenderReport;
      } catch {
        // ignore
      }
    });
    const senderDone = new Promise<void>((ok) => sender.on('exit', () => ok()));
    // An independent probe of the node's event loop: how long its metrics endpoint takes to answer.
    let probing = true;
    let worstProbeMs = 0;
    let probes = 0;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        await fetch(url).then((r) => r.text());
        worstProbeMs = Math.max(worstProbeMs, performance.now() - started);
        probes += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // Calls pressed during the flood, at random floors and buttons.
    const calls: CallOutcome[] = [];
    const track = (call: CallOutcome): void => {
      const key = lampKey(call.button, call.floor);
      const off = s.onChange((e) => {
        const t = since();
        const on = litLamps(e.state).has(key);
        if (on && call.litAt === null) call.litAt = t;
        if (
          call.litAt !== null &&
          e.state.lamps.door &&
          e.state.car.floor === call.floor &&
          call.arrivedAt === null
        )
          call.arrivedAt = t;
        if (!on && call.litAt !== null && call.servedAt === null) {
          call.servedAt = t;
          off();
        }
      });
    };
    // Presses start after the sender has started up and stop a little before the flood ends.
    await new Promise((r) => setTimeout(r, 500));
    while (since() < seconds * 1000 - 1500) {
      const button = (['cab', 'hallUp', 'hallDown'] as const)[random.int(3)] ?? 'cab';
      const floor =
        button === 'hallUp'
          ? random.int(floors - 1)
          : button === 'hallDown'
            ? 1 + random.int(floors - 1)
            : random.int(floors);
      // Only fresh calls away from the car: a press on a lit lamp is absorbed, and one at the floor
      // the car stands at is served at once without its lamp ever lighting; neither proves much.
      const now = s.state();
      if (!litLamps(now).has(lampKey(button, floor)) && now.car.floor !== floor) {
        const call: CallOutcome = {
          button,
          floor,
          pressedAt: since(),
          litAt: null,
          arrivedAt: null,
          servedAt: null,
        };
        calls.push(call);
        track(call);
        await press(button, floor);
      }
      await new Promise((r) => setTimeout(r, pressEveryMs));
    }
    await senderDone;
    probing = false;
    await probe;
    const after = await scrape();
    const nodeAliveAfterFlood = exit.reason === null;
    log(`flood over at ${Math.round(since())} ms; settling`);

    await waitFor(
      () => calls.every((c) => c.servedAt !== null) && litLamps(s.state()).size === 0,
      settleMs,
    );

    const buckets: Record<string, number> = {};
    let worstBucket = '0';
    let previous = 0;
    for (const [le, total] of after.buckets) {
      const delta = total - (before.buckets.get(le) ?? 0);
      buckets[le] = delta - previous;
      if (delta - previous > 0) worstBucket = le;
      previous = delta;
    }
    const ticks = after.count - before.count;
    const dropped: Record<string, number> = {};
    for (const [reason, n] of after.dropped) {
      const delta = n - (before.dropped.get(reason) ?? 0);
      if (delta > 0) dropped[reason] = delta;
    }
    return {
      mode,
      seed,
      sender: senderReport,
      loop: {
        ticks,
        meanSeconds: ticks > 0 ? (after.sum - before.sum) / ticks : 0,
        worstBucket,
        buckets,
      },
      dropped,
      probe: { count: probes, worstMs: worstProbeMs },
      calls,
      lampsClearedWithoutService: [...watcher.clearedWithoutService],
      lampsOnAtEnd: [...litLamps(s.state())],
      carAtEnd: s.state().car,
      nodeAliveAfterFlood,
      nodeExit: exit.reason,
    };
  } finally {
    // SIGTERM first (the node stops cleanly, and a --cpu-prof profile gets written), then SIGKILL.
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }, 3000);
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? Promise.resolve()
          : new Promise<void>((ok) => c.once('exit', () => ok())),
      ),
    );
    clearTimeout(killTimer);
    await sim?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The figures of a report, as a few printable lines. */
export function formatFloodReport(r: FloodReport): string {
  const served = r.calls.filter((c) => c.servedAt !== null && c.arrivedAt !== null).length;
  const waits = r.calls
    .filter((c) => c.servedAt !== null)
    .map((c) => (c.servedAt ?? 0) - c.pressedAt);
  const sent = r.sender?.sent ?? 0;
  const seen = Object.values(r.dropped).reduce((a, b) => a + b, 0);
  return [
    `flood (${r.mode}, seed ${r.seed}): sent ${sent} datagrams in ${r.sender?.seconds.toFixed(1) ?? '?'} s ` +
      `(${JSON.stringify(r.sender?.byKind ?? {})})`,
    `  dropped by the node: ${seen} ${JSON.stringify(r.dropped)}`,
    `  control loop during the flood: ${r.loop.ticks} ticks, mean lateness ${(r.loop.meanSeconds * 1000).toFixed(2)} ms, ` +
      `worst bucket le=${r.loop.worstBucket} s; per bucket ${JSON.stringify(r.loop.buckets)}`,
    `  metrics endpoint during the flood: ${r.probe.count} requests, slowest answer ${Math.round(r.probe.worstMs)} ms`,
    `  calls pressed during the flood: ${r.calls.length}, served (lamp on, car came, lamp off): ${served}; ` +
      `longest press-to-served ${waits.length > 0 ? Math.round(Math.max(...waits)) : '-'} ms`,
    `  lamps cleared without service: ${r.lampsClearedWithoutService.length}; lamps on at the end: ${r.lampsOnAtEnd.length}; ` +
      `node alive after the flood: ${r.nodeAliveAfterFlood}; car at the end ${JSON.stringify(r.carAtEnd)}`,
  ].join('\n');
}
