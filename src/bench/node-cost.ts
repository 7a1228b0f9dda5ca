/**
 * What one node costs (a benchmark, not a test): run with `npm run bench:cost`.
 *
 * For each building size it starts, on 127.0.0.1, one simulator process and one controller
 * process per elevator (peers broadcast to 127.255.255.255 on a free port, state under a temp dir),
 * warms the building (every hall call and every cab call pressed from every panel, then served),
 * and measures:
 * - CPU of each node and each simulator process (utime + stime from /proc/<pid>/stat), as % of one
 *   core, over an idle window of the warm building ("idle") and while calls are pressed ("active");
 * - bytes/s sent per node and the datagram sizes (max, p50): every peer datagram is heard by a
 *   listener bound to the peer port, and, when the node exposes them, from its metrics;
 * - press-to-light latency (p50, p99) at 0% loss: a press through the simulator's control API to
 *   the lamp lighting on that panel, both timed by the simulator's clock (its SSE /events).
 *
 * Usage: node --import tsx src/bench/node-cost.ts [--sizes 3x4,9x20,16x50] [--window-s 30]
 *   [--presses 60] [--warm-timeout-s N] [--root DIR] (a checkout whose build to measure)
 *   [--cpu-prof-dir DIR] (node and sim processes write .cpuprofile files there; the idle window is
 *   the last phase, so the profiles' last window-s seconds are the warm idle building)
 *   [--floor BYTES] (runs src/bench/io-floor.ts in place of each node: the same poll and broadcast
 *   I/O, datagrams of BYTES, and nothing else; what a node costs above it is its own work)
 *   [--out artifacts/bench/node-cost.json]
 * Every process it started is killed on exit, on SIGINT and on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { freeTcpPort, freeUdpPort } from '../io/free-ports.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux
const BROADCAST = '127.255.255.255';

type Button = 'hallUp' | 'hallDown' | 'cab';
const simStateSchema = z.object({
  floors: z.number(),
  car: z.object({ floor: z.number().nullable() }),
  lamps: z.object({
    hall: z.array(z.tuple([z.boolean(), z.boolean()])),
    cab: z.array(z.boolean()),
  }),
  clientConnected: z.boolean(),
});
type SimState = z.infer<typeof simStateSchema>;
const pressReplySchema = z.object({ ok: z.literal(true), t: z.number() });
const simEventSchema = z.object({ t: z.number(), state: simStateSchema });

class BenchError extends Error {
  override readonly name = 'BenchError';
  constructor(
    readonly code: 'bad-option' | 'start-failed' | 'not-linux' | 'process-exited',
    message: string,
  ) {
    super(message);
  }
}

// --- processes ---

const children = new Set<ChildProcess>();
/** Children being stopped on purpose (their exit is not reported). */
const stopping = new Set<ChildProcess>();

function killAll(signal: NodeJS.Signals): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
process.on('exit', () => killAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`node-cost: ${signal}, stopping every process\n`);
    killAll('SIGKILL');
    process.exit(130);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
}

/** Stops `child` gracefully (so a --cpu-prof profile is written), killing it after 5 s. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  stopping.add(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited(child);
  clearTimeout(timer);
  children.delete(child);
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * How often the process's main thread (its event loop) went to sleep and was woken: the voluntary
 * context switches of /proc/<pid>/status. On this kind of machine a wakeup, not the work done in it,
 * is most of an idle node's CPU (src/io/heartbeat.ts), and unlike CPU time the count does not
 * depend on how loaded the machine is.
 */
function wakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? NaN);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline)
      throw new BenchError('start-failed', `timed out waiting for ${what}`);
    await sleep(100);
  }
}

// --- statistics ---

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}
const mean = (values: readonly number[]): number =>
  values.reduce((a, b) => a + b, 0) / values.length;
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

// --- one building ---

interface Elevator {
  id: string;
  simPort: number;
  controlUrl: string;
  metricsUrl: string;
  sim: ChildProcess;
  node: ChildProcess;
}

interface CpuSample {
  at: number;
  ticks: Map<number, number>;
  wakeups: Map<number, number>;
}

function sampleCpu(pids: readonly number[]): CpuSample {
  return {
    at: performance.now(),
    ticks: new Map(pids.map((p) => [p, cpuTicks(p)])),
    wakeups: new Map(pids.map((p) => [p, wakeups(p)])),
  };
}

/** Wakeups per second of each pid's event loop between two samples. */
function wakeupRate(a: CpuSample, b: CpuSample, pids: readonly number[]): number[] {
  const seconds = (b.at - a.at) / 1000;
  return pids.map((p) => ((b.wakeups.get(p) ?? 0) - (a.wakeups.get(p) ?? 0)) / seconds);
}

/** CPU % of one core of each pid between two samples. */
function cpuPercent(a: CpuSample, b: CpuSample, pids: readonly number[]): number[] {
  const seconds = (b.at - a.at) / 1000;
  return pids.map(
    (p) => (((b.ticks.get(p) ?? 0) - (a.ticks.get(p) ?? 0)) / CLOCK_TICKS_PER_S / seconds) * 100,
  );
}

/** Hears every peer datagram of the building (the port is shared with SO_REUSEADDR). */
class PeerTrafficListener {
  sizes: number[] = [];
  bytes = 0;
  readonly #socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  async start(port: number): Promise<void> {
    await new Promise<void>((done) => this.#socket.bind(port, BROADCAST, () => done()));
    this.#socket.on('message', (m) => {
      this.sizes.push(m.length);
      this.bytes += m.length;
    });
  }
  reset(): void {
    this.sizes = [];
    this.bytes = 0;
  }
  close(): void {
    this.#socket.close();
  }
}

async function getState(e: Elevator): Promise<SimState> {
  const res = await fetch(`${e.controlUrl}/state`);
  return simStateSchema.parse(await res.json());
}

async function press(e: Elevator, button: Button, floor: number): Promise<number> {
  // A saturated machine (16x50 on 2 cores) can reset a connection: try again, a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${e.controlUrl}/press`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ button, floor }),
      });
      return pressReplySchema.parse(await res.json()).t;
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(200 * attempt);
    }
  }
}

const lampOn = (s: SimState, button: Button, floor: number): boolean =>
  button === 'cab'
    ? s.lamps.cab[floor] === true
    : s.lamps.hall[floor]?.[button === 'hallUp' ? 0 : 1] === true;
const anyLit = (s: SimState): boolean =>
  s.lamps.cab.some(Boolean) || s.lamps.hall.some(([u, d]) => u || d);

/** Metrics a node exposes about its sending (absent on a build that does not count them). */
async function scrapeSent(
  e: Elevator,
): Promise<{ bytes: number; datagrams: number; maxBytes: number } | null> {
  // The I/O floor serves no metrics: its bytes are counted by the listener alone.
  const text = await fetch(e.metricsUrl).then(
    (r) => r.text(),
    () => '',
  );
  const value = (name: string): number | undefined => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const bytes = value('elevator_peer_sent_bytes_total');
  const datagrams = value('elevator_peer_sent_datagrams_total');
  const maxBytes = value('elevator_peer_datagram_max_bytes');
  if (bytes === undefined || datagrams === undefined || maxBytes === undefined) return null;
  return { bytes, datagrams, maxBytes };
}

/** Subscribes to a simulator's SSE stream; `onState` gets each event's time and state. */
function subscribe(e: Elevator, onState: (t: number, s: SimState) => void): AbortController {
  const abort = new AbortController();
  void (async () => {
    const res = await fetch(`${e.controlUrl}/events`, { signal: abort.signal });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data === undefined) continue;
        const event = simEventSchema.parse(JSON.parse(data.slice(6)));
        onState(event.t, event.state);
      }
    }
  })().catch((err: unknown) => {
    if (!abort.signal.aborted)
      process.stderr.write(`node-cost: SSE of ${e.id} failed: ${String(err)}\n`);
  });
  return abort;
}

interface SizeResult {
  size: string;
  elevators: number;
  floors: number;
  loadAverage: { start: number[]; end: number[] };
  warm: { presses: number; servedInS: number | null };
  windowS: number;
  nodeCpuPercent: {
    idle: { mean: number; max: number; perNode: number[] };
    active: { mean: number; max: number };
  };
  nodeWakeupsPerS: { idle: { mean: number } };
  simCpuPercent: { idle: { mean: number; max: number }; active: { mean: number; max: number } };
  sentBytesPerS: { meanPerNode: number; perNode: number[] | null };
  datagramBytes: { max: number; p50: number };
  pressToLightMs: { p50: number; p99: number; max: number; samples: number; unlit: number };
}

async function runSize(
  elevators: number,
  floors: number,
  o: {
    windowS: number;
    presses: number;
    warmTimeoutS: number;
    root: string;
    profDir: string | undefined;
    /** Datagram bytes of the I/O floor (src/bench/io-floor.ts) run in place of each node; absent: real nodes. */
    floorBytes: number | undefined;
  },
  log: (line: string) => void,
): Promise<SizeResult> {
  const size = `${elevators}x${floors}`;
  const loadStart = loadavg().map((x) => round(x));
  const dir = mkdtempSync(join(tmpdir(), `node-cost-${size}-`));
  const cli = join(o.root, 'bin/elevator-mesh.js');
  const peerPort = await freeUdpPort();
  const listener = new PeerTrafficListener();
  await listener.start(peerPort);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ELEVATOR_KEY: 'node-cost-bench-shared-key-0123456789',
  };
  delete env.ELEVATOR_CONFIG;
  delete env.ELEVATOR_KEY_FILE;
  const prof = (name: string): string[] =>
    o.profDir === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${o.profDir}`, `--cpu-prof-name=${size}-${name}.cpuprofile`];
  const start = (name: string, args: string[], script = [cli]): ChildProcess => {
    const out = createWriteStream(join(dir, `${name}.log`));
    const child = spawn(process.execPath, [...prof(name), ...script, ...args], {
      cwd: o.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    children.add(child);
    child.once('exit', (code, signal) => {
      if (!stopping.has(child))
        log(
          `  ${name} exited unexpectedly (code ${code}, signal ${signal}); see ${dir}/${name}.log`,
        );
    });
    return child;
  };
  const building: Elevator[] = [];
  try {
    for (let i = 0; i < elevators; i++) {
      const id = `e${i + 1}`;
      const [simPort, controlPort, metricsPort] = [
        await freeTcpPort(),
        await freeTcpPort(),
        await freeTcpPort(),
      ];
      const sim = start(`sim-${id}`, [
        'sim',
        '--headless',
        '--port',
        String(simPort),
        '--floors',
        String(floors),
        '--control-port',
        String(controlPort),
        '--start-floor',
        String(Math.floor((i * (floors - 1)) / Math.max(1, elevators - 1))),
      ]);
      building.push({
        id,
        simPort,
        controlUrl: `http://127.0.0.1:${controlPort}`,
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
        sim,
        node: sim,
      });
    }
    for (const e of building) {
      await waitFor(`simulator ${e.id}`, 20_000, () =>
        getState(e).then(
          () => true,
          () => false,
        ),
      );
    }
    for (const e of building) {
      if (o.floorBytes !== undefined) {
        e.node = start(
          `floor-${e.id}`,
          [
            '--server',
            `127.0.0.1:${e.simPort}`,
            '--floors',
            String(floors),
            '--peer-port',
            String(peerPort),
            '--broadcast-address',
            BROADCAST,
            '--bytes',
            String(o.floorBytes),
          ],
          ['--import', 'tsx', join(REPO_ROOT, 'src/bench/io-floor.ts')],
        );
        continue;
      }
      e.node = start(`node-${e.id}`, [
        'node',
        '--id',
        e.id,
        '--server',
        `127.0.0.1:${e.simPort}`,
        '--floors',
        String(floors),
        '--state-dir',
        join(dir, e.id),
        '--peer-port',
        String(peerPort),
        '--broadcast-address',
        BROADCAST,
        '--metrics-port',
        String(new URL(e.metricsUrl).port),
      ]);
    }
    await waitFor('every node driving its car', 30_000, async () => {
      const states = await Promise.all(building.map((e) => getState(e).catch(() => null)));
      return states.every((s) => s?.clientConnected === true);
    });
    await sleep(2000); // peers hear each other (peer timeout 800 ms)

    // Warm: every call from every panel (the I/O floor has no calls to warm).
    const warmStart = performance.now();
    let warmPresses = 0;
    const floorMode = o.floorBytes !== undefined;
    await Promise.all(
      (floorMode ? [] : building).map(async (e) => {
        for (let f = 0; f < floors; f++) {
          for (const b of ['hallUp', 'hallDown', 'cab'] as const) {
            if ((b === 'hallUp' && f === floors - 1) || (b === 'hallDown' && f === 0)) continue;
            await press(e, b, f);
            warmPresses++;
          }
        }
      }),
    );
    log(`  ${size}: ${warmPresses} warm-up presses; waiting for every call to be served`);
    const allServed = async (): Promise<boolean> => {
      const states = await Promise.all(building.map(getState));
      return !states.some(anyLit);
    };
    let servedInS: number | null = null;
    try {
      await waitFor('the warm-up calls to be served', o.warmTimeoutS * 1000, allServed);
      servedInS = round((performance.now() - warmStart) / 1000, 1);
      log(`  ${size}: warm after ${servedInS} s`);
    } catch {
      log(`  ${size}: warm-up calls not all served within ${o.warmTimeoutS} s; measuring anyway`);
    }

    const nodePids = building.map((e) => e.node.pid!);
    const simPids = building.map((e) => e.sim.pid!);
    const all = [...nodePids, ...simPids];

    // Active phase: presses at 0% loss, timed from the simulator's press to its lamp.
    const latest = new Map<string, SimState>();
    const litAt = new Map<string, number[]>();
    const subs = building.map((e) =>
      subscribe(e, (t, s) => {
        const before = latest.get(e.id);
        latest.set(e.id, s);
        for (let f = 0; f < floors; f++) {
          for (const b of ['hallUp', 'hallDown', 'cab'] as const) {
            if (lampOn(s, b, f) && !(before !== undefined && lampOn(before, b, f))) {
              const key = `${e.id}:${b}:${f}`;
              litAt.set(key, [...(litAt.get(key) ?? []), t]);
            }
          }
        }
      }),
    );
    await waitFor('the SSE streams', 5000, () => latest.size === building.length);
    const latencies: number[] = [];
    let unlit = 0;
    const activeA = sampleCpu(all);
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const phaseDeadline = performance.now() + o.presses * 2000;
    for (let n = 0; n < (floorMode ? 0 : o.presses) && performance.now() < phaseDeadline;) {
      const e = building[Math.floor(random() * building.length)]!;
      const cars = building.map((x) => latest.get(x.id)?.car.floor);
      const s = latest.get(e.id)!;
      const candidates: [Button, number][] = [];
      for (let f = 0; f < floors; f++) {
        for (const b of ['hallUp', 'hallDown', 'cab'] as const) {
          if (
            (b === 'hallUp' && f === floors - 1) ||
            (b === 'hallDown' && f === 0) ||
            lampOn(s, b, f)
          )
            continue;
          // A call where a car stands is served at once, without a light: not a latency sample.
          if (b === 'cab' ? s.car.floor === f : cars.includes(f)) continue;
          candidates.push([b, f]);
        }
      }
      const pick = candidates[Math.floor(random() * candidates.length)];
      if (pick === undefined) {
        await sleep(100); // every free call of this panel is lit: wait for service
        continue;
      }
      n++;
      const [b, f] = pick;
      const key = `${e.id}:${b}:${f}`;
      const t = await press(e, b, f);
      const deadline = performance.now() + 3000;
      let lit: number | undefined;
      while (lit === undefined && performance.now() < deadline) {
        lit = litAt.get(key)?.find((x) => x >= t);
        if (lit === undefined) await sleep(5);
      }
      if (lit === undefined) unlit++;
      else latencies.push(lit - t);
      await sleep(200 + random() * 200);
    }
    const activeB = sampleCpu(all);
    for (const sub of subs) sub.abort();
    log(
      `  ${size}: ${latencies.length} press-to-light samples (${unlit} unlit); waiting for service`,
    );
    await waitFor('the active-phase calls to be served', o.warmTimeoutS * 1000, allServed).catch(
      () => log(`  ${size}: active-phase calls not all served; measuring anyway`),
    );

    // Idle window of the warm building (the last phase: see --cpu-prof-dir).
    const sentA = await Promise.all(building.map(scrapeSent));
    listener.reset();
    const idleA = sampleCpu(all);
    await sleep(o.windowS * 1000);
    const idleB = sampleCpu(all);
    const sentB = await Promise.all(building.map(scrapeSent));
    const seconds = (idleB.at - idleA.at) / 1000;
    const sizes = listener.sizes;
    const perNode =
      sentA.every((a) => a !== null) && sentB.every((b) => b !== null)
        ? sentB.map((b, i) => round((b.bytes - sentA[i]!.bytes) / seconds, 0))
        : null;
    const nodeIdle = cpuPercent(idleA, idleB, nodePids);
    const nodeWakeups = wakeupRate(idleA, idleB, nodePids);
    const simIdle = cpuPercent(idleA, idleB, simPids);
    const nodeActive = cpuPercent(activeA, activeB, nodePids);
    const simActive = cpuPercent(activeA, activeB, simPids);
    const stat = (v: number[]) => ({ mean: round(mean(v)), max: round(Math.max(...v)) });
    return {
      size,
      elevators,
      floors,
      loadAverage: { start: loadStart, end: loadavg().map((x) => round(x)) },
      warm: { presses: warmPresses, servedInS },
      windowS: round(seconds, 1),
      nodeCpuPercent: {
        idle: { ...stat(nodeIdle), perNode: nodeIdle.map((x) => round(x)) },
        active: stat(nodeActive),
      },
      nodeWakeupsPerS: { idle: { mean: round(mean(nodeWakeups), 0) } },
      simCpuPercent: { idle: stat(simIdle), active: stat(simActive) },
      sentBytesPerS: { meanPerNode: round(listener.bytes / seconds / elevators, 0), perNode },
      datagramBytes: { max: sizes.length ? Math.max(...sizes) : NaN, p50: percentile(sizes, 50) },
      pressToLightMs: {
        p50: round(percentile(latencies, 50), 1),
        p99: round(percentile(latencies, 99), 1),
        max: round(Math.max(...latencies), 1),
        samples: latencies.length,
        unlit,
      },
    };
  } finally {
    listener.close();
    await Promise.all(building.map((e) => stopChild(e.node, 'SIGTERM')));
    await Promise.all(building.map((e) => stopChild(e.sim, 'SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(results: readonly SizeResult[]): string {
  const rows = [
    [
      'size',
      'node CPU idle % (mean/max)',
      'node CPU active %',
      'node wakeups/s idle',
      'sim CPU idle %',
      'sim CPU active %',
      'sent B/s/node',
      'datagram max/p50 B',
      'press-to-light p50/p99 ms',
      'load avg',
    ],
    ...results.map((r) => [
      r.size,
      `${r.nodeCpuPercent.idle.mean}/${r.nodeCpuPercent.idle.max}`,
      `${r.nodeCpuPercent.active.mean}`,
      `${r.nodeWakeupsPerS.idle.mean}`,
      `${r.simCpuPercent.idle.mean}`,
      `${r.simCpuPercent.active.mean}`,
      `${r.sentBytesPerS.meanPerNode}`,
      `${r.datagramBytes.max}/${r.datagramBytes.p50}`,
      `${r.pressToLightMs.p50}/${r.pressToLightMs.p99} (n=${r.pressToLightMs.samples}, unlit ${r.pressToLightMs.unlit})`,
      `${r.loadAverage.start[0]} -> ${r.loadAverage.end[0]}`,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '3x4,9x20,16x50' },
      'window-s': { type: 'string', default: '30' },
      presses: { type: 'string', default: '60' },
      'warm-timeout-s': { type: 'string' },
      root: { type: 'string', default: REPO_ROOT },
      'cpu-prof-dir': { type: 'string' },
      floor: { type: 'string' },
      out: { type: 'string', default: join(REPO_ROOT, 'artifacts/bench/node-cost.json') },
    },
  });
  if (process.platform !== 'linux') throw new BenchError('not-linux', 'reads /proc: Linux only');
  const sizes = values.sizes.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m) throw new BenchError('bad-option', `--sizes: "${s}" is not <elevators>x<floors>`);
    return [Number(m[1]), Number(m[2])] as const;
  });
  const windowS = Number(values['window-s']);
  const presses = Number(values.presses);
  if (!(windowS > 0) || !(presses >= 0))
    throw new BenchError('bad-option', '--window-s > 0, --presses >= 0');
  const root = resolve(values.root);
  const profDir =
    values['cpu-prof-dir'] === undefined ? undefined : resolve(values['cpu-prof-dir']);
  if (profDir !== undefined) mkdirSync(profDir, { recursive: true });
  const floorBytes = values.floor === undefined ? undefined : Number(values.floor);
  if (floorBytes !== undefined && !(Number.isInteger(floorBytes) && floorBytes > 0))
    throw new BenchError('bad-option', '--floor BYTES: a positive whole number of bytes');
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const results: SizeResult[] = [];
  for (const [elevators, floors] of sizes) {
    log(`node-cost: ${elevators}x${floors}, build in ${root}, window ${windowS} s`);
    const warmTimeoutS =
      values['warm-timeout-s'] === undefined ? 30 + 7 * floors : Number(values['warm-timeout-s']);
    results.push(
      await runSize(
        elevators,
        floors,
        { windowS, presses, warmTimeoutS, root, profDir, floorBytes },
        log,
      ),
    );
  }
  process.stdout.write(`${table(results)}\n`);
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    `${JSON.stringify({ root, date: new Date().toISOString(), results }, null, 2)}\n`,
  );
  log(`node-cost: wrote ${values.out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `node-cost: ${err instanceof BenchError ? `[${err.code}] ` : ''}${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
