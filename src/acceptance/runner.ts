/**
 * Runs one scenario on real processes over a real (namespaced) network, one step function each:
 *
 * 1. `startLab`: builds the lab ({@link NetLab}): a namespace per elevator on one bridge;
 * 2. `startSimulators`: in each namespace our simulator (`elevator-mesh sim --headless`) and a
 *    forwarder for its control API;
 * 3. `startNodes`: a supervised node (`elevator-mesh node --supervise`) per namespace talking UDP
 *    broadcast; waits until every node drives its car and the cars stand at a floor;
 * 4. `playPlan`: random presses through the control APIs, faults on the timeline
 *    (`fault-injection.ts`), the probe press after each fault;
 * 5. `drain`: after traffic and faults end, waits for every lamp to go off (or the drain bound);
 * 6. `recordRun`: the {@link RunRecord} of what was observed;
 * 7. `writeArtifacts`: checks the record, writes `report.json`, `timeline.html` and `record.json`
 *    to the run's artifacts directory (process logs are in its `logs/`);
 *
 * and `cleanUp` removes everything it created, also when it fails or is aborted.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import cliProgress from 'cli-progress';
import type { Scenario, Timings } from './scenario.js';
import { elevatorIds, timingsAt } from './scenario.js';
import type { FaultSpan, Press, RunRecord } from './run-record.js';
import { NetLab } from './netns-lab.js';
import type { Launched } from './launcher.js';
import { cliArgs, launch, moduleArgs, stopLaunched } from './launcher.js';
import { SimClient } from './sim-client.js';
import { Observer } from './observer.js';
import type { PlanStep } from './plan.js';
import { buildPlan, faultLabel } from './plan.js';
import { checkRun } from './checks.js';
import { parsePeerLost } from './peer-flaps.js';
import type { Report } from './report.js';
import { buildReport } from './report.js';
import { renderTimeline } from './timeline-html.js';
import { liftFault, startFault, type FaultContext } from './fault-injection.js';
import { DEFAULT_PORTS } from '../core/ports.js';

// Each host is its own namespace: every host's simulator and node use the product's default ports.
const SIM_PORT = DEFAULT_PORTS.elevatorServer;
const CONTROL_PORT = DEFAULT_PORTS.elevatorServer + 1;
const PEER_PORT = DEFAULT_PORTS.peers;

export interface RunOptions {
  scenario: Scenario;
  /** Parent directory of the run's artifacts (`artifacts/acceptance`). */
  artifactsRoot: string;
  signal: AbortSignal;
  /** Show a progress bar on stderr. */
  progress: boolean;
  /** Log level of the simulators and nodes. */
  logLevel: string;
  /** Lines for the user (what is happening). */
  say: (line: string) => void;
  /** Id of the run (a-z0-9, up to 8); names its namespaces `emacc-<id>-*`. Default: random. */
  runId?: string;
}

export interface RunResult {
  report: Report;
  dir: string;
  problems: string[];
}

/** The run was aborted (SIGINT). */
export class RunAborted extends Error {
  override readonly name = 'RunAborted';
  readonly code = 'aborted' as const;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new RunAborted('aborted'));
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RunAborted('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50, signal);
  }
}

/** A fresh random run id. */
export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

/** What the steps of one run share; {@link cleanUp} releases whatever they started. */
interface Run {
  readonly opts: RunOptions;
  readonly s: Scenario;
  readonly runId: string;
  /** `<scenario>-<run id>`: names the artifacts directory. */
  readonly name: string;
  readonly dir: string;
  readonly logs: string;
  /** Sockets and state directories of the run. */
  readonly tmp: string;
  readonly ids: string[];
  readonly timings: Timings;
  readonly problems: string[];
  /** Simulators and forwarders. */
  readonly processes: Launched[];
  readonly supervisors: Map<string, Launched>;
  /** Nodes' supervisors that exited on their own (each with its log's tail). */
  readonly nodeExits: string[];
  lab?: NetLab;
  observer?: Observer;
  bar?: cliProgress.SingleBar;
  /** Set by the clean-up: exits from now on are ours. */
  stopping: boolean;
  /** Records a problem of the harness (not a violation of the system). */
  readonly note: (line: string) => void;
}

/** The harness clock of a run: `origin` when observing began, `start` when traffic began. */
interface Clock {
  readonly origin: number;
  readonly start: number;
}

/** Runs a scenario (see module comment). */
export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const run = prepare(opts);
  try {
    const lab = await startLab(run);
    const clients = await startSimulators(run, lab);
    const { observer, origin } = await startNodes(run, lab, clients);
    const { start, spans } = await playPlan(run, lab, observer, clients, origin);
    const record = await recordRun(run, lab, observer, { origin, start }, spans);
    run.problems.push(...observer.problems, ...run.nodeExits);
    return writeArtifacts(run, record);
  } finally {
    await cleanUp(run);
  }
}

/** The run's names and directories (created). */
function prepare(opts: RunOptions): Run {
  const s = opts.scenario;
  const runId = opts.runId ?? newRunId();
  const name = `${s.name}-${runId}`;
  const dir = resolve(opts.artifactsRoot, name);
  const logs = join(dir, 'logs');
  const tmp = `/tmp/emacc-${runId}`;
  mkdirSync(logs, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const problems: string[] = [];
  return {
    opts,
    s,
    runId,
    name,
    dir,
    logs,
    tmp,
    ids: elevatorIds(s.building.elevators),
    timings: timingsAt(s.physics.speed),
    problems,
    processes: [],
    supervisors: new Map(),
    nodeExits: [],
    stopping: false,
    note: (line) => {
      problems.push(line);
    },
  };
}

/** Step 1: the lab, a namespace per elevator on one bridge. */
async function startLab(run: Run): Promise<NetLab> {
  const { s, ids, runId } = run;
  run.opts.say(
    `run ${run.name}: ${ids.length} elevators, ${s.building.floors} floors, physics x${s.physics.speed}, seed ${s.seed}`,
  );
  run.lab = await NetLab.create({
    run: runId,
    hosts: ids,
    subnetOctet: 1 + (parseInt(runId, 16) % 254),
    peerPort: PEER_PORT,
  });
  return run.lab;
}

/** Step 2: in each namespace a simulator and a forwarder for its control API; waits for them. */
async function startSimulators(run: Run, lab: NetLab): Promise<Map<string, SimClient>> {
  const { s, opts, timings, logs, processes } = run;
  const clients = new Map<string, SimClient>();
  for (const [i, id] of run.ids.entries()) {
    const simArgs = cliArgs([
      'sim',
      '--headless',
      '--port',
      String(SIM_PORT),
      '--control-port',
      String(CONTROL_PORT),
      '--floors',
      String(s.building.floors),
      '--travel-ms',
      String(timings.travelMs),
      '--passing-ms',
      String(timings.passingMs),
      '--seed',
      String(s.seed + i),
      '--log-level',
      opts.logLevel,
    ]);
    processes.push(launch(lab.execPrefix(id), simArgs, join(logs, `${id}-sim.log`)));
    const socket = join(run.tmp, `${id}.sock`);
    processes.push(
      launch(
        lab.execPrefix(id),
        [...moduleArgs('acceptance/uds-forwarder'), socket, String(CONTROL_PORT)],
        join(logs, `${id}-forwarder.log`),
      ),
    );
    clients.set(id, new SimClient(socket));
  }
  for (const p of processes) {
    p.child.once('exit', (code, sig) => {
      run.note(
        `a helper process exited early (${p.logFile}): code ${String(code)}, signal ${String(sig)}`,
      );
    });
  }
  opts.say('waiting for the simulators');
  for (const [id, client] of clients) {
    await waitFor(
      `simulator ${id}`,
      () =>
        client.state().then(
          () => true,
          () => false,
        ),
      30_000,
      opts.signal,
    );
  }
  return clients;
}

/** Starts (or, after a power cycle, restarts) the supervised node of elevator `id`. */
function startNode(run: Run, lab: NetLab, id: string): Launched {
  const { s, timings } = run;
  const args = cliArgs([
    'node',
    '--supervise',
    '--id',
    id,
    '--server',
    `127.0.0.1:${SIM_PORT}`,
    '--floors',
    String(s.building.floors),
    '--state-dir',
    join(run.tmp, 'state', id),
    '--peer-port',
    String(PEER_PORT),
    '--broadcast-address',
    lab.broadcast,
    ...nodeTimingArgs(timings),
    ...(s.node.assigner === undefined ? [] : ['--assigner', s.node.assigner]),
    '--log-level',
    run.opts.logLevel,
  ]);
  const p = launch(lab.execPrefix(id), args, join(run.logs, `${id}-node.log`));
  run.supervisors.set(id, p);
  p.child.once('exit', (code, sig) => {
    if (sig !== 'SIGKILL' && !run.stopping) {
      run.nodeExits.push(
        `${id}'s supervisor exited (code ${String(code)}, signal ${String(sig)}); its log: ${p.logFile}\n${tail(p.logFile)}`,
      );
    }
  });
  return p;
}

/**
 * Step 3: the observer, then the nodes; waits until every node drives its car and the cars
 * stand at a floor, then lets the peers find each other.
 */
async function startNodes(
  run: Run,
  lab: NetLab,
  clients: Map<string, SimClient>,
): Promise<{ observer: Observer; origin: number }> {
  const { ids, opts } = run;
  const origin = performance.now();
  const observer = new Observer(clients, origin);
  run.observer = observer;
  await observer.start();
  for (const id of ids) startNode(run, lab, id);
  opts.say('waiting for the nodes to drive their cars to a floor');
  await waitFor(
    'every node connected, every car at a floor with its door closed',
    () => {
      if (run.nodeExits.length > 0) throw new Error(run.nodeExits.join('\n'));
      return ids.every((id) => {
        const p = observer.latest(id);
        return p !== undefined && p.connected && p.floor !== null && p.motor === 'stop' && !p.door;
      });
    },
    60_000,
    opts.signal,
  );
  // Let the peers find each other before the first press.
  await sleep(Math.max(2000, 3 * run.timings.peerTimeoutMs), opts.signal);
  return { observer, origin };
}

/** What the progress bar shows; the play updates it. */
interface Progress {
  pressed: number;
  phase: string;
}

/**
 * Step 4: plays the plan (presses through the control APIs, faults on the timeline), then
 * drains (step 5), with the progress bar. Returns when traffic began and the faults' spans.
 */
async function playPlan(
  run: Run,
  lab: NetLab,
  observer: Observer,
  clients: Map<string, SimClient>,
  origin: number,
): Promise<{ start: number; spans: FaultSpan[] }> {
  const { s, opts } = run;
  const plan = buildPlan(s);
  const start = performance.now();
  const now = (): number => performance.now() - start;
  const trafficMs = s.traffic.durationS * 1000;
  const lastPlanned = Math.max(trafficMs, ...plan.map((p) => p.at));
  const presses = plan.filter((p) => p.type === 'press').length;
  const progress: Progress = { pressed: 0, phase: 'traffic' };
  const activeFaults = new Map<
    number,
    { span: FaultSpan; step: PlanStep & { type: 'fault-start' } }
  >();
  const spans: FaultSpan[] = [];
  if (opts.progress) {
    run.bar = new cliProgress.SingleBar(
      {
        format: `${s.name} [{bar}] {value}/{total} s | presses {pressed}/{presses} | {phase}`,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    run.bar.start(Math.ceil((lastPlanned + s.drainS * 1000) / 1000), 0, {
      pressed: progress.pressed,
      presses,
      phase: progress.phase,
    });
  }
  const bar = run.bar;
  const tick = setInterval(() => {
    bar?.update(Math.floor(now() / 1000), { pressed: progress.pressed, phase: progress.phase });
  }, 250);
  const ctx: FaultContext = {
    floors: s.building.floors,
    lab,
    observer,
    clients,
    supervisors: run.supervisors,
    note: run.note,
  };
  try {
    for (const step of plan) {
      await sleep(step.at - now(), opts.signal);
      if (step.type === 'press') {
        progress.pressed++;
        observer.press(step.elevator, step.button, step.floor).catch((err: unknown) => {
          run.note(`press ${step.button} ${step.floor} on ${step.elevator} failed: ${String(err)}`);
        });
        continue;
      }
      const f = step.fault;
      const label = faultLabel(f);
      const targets = f.target === 'all' ? run.ids : [f.target];
      if (step.type === 'fault-start') {
        progress.phase = label;
        opts.say(`${(now() / 1000).toFixed(1)} s: ${label}`);
        await startFault(f, targets, step.index, ctx);
        // The fault is in effect from now (a motor fault may have waited for a moving car).
        const at = now() + (start - origin);
        const probe = pressProbe(run, observer, f, at);
        const span: FaultSpan = {
          kind: f.kind,
          target: f.target,
          start: at,
          lifted: at,
          end: at,
          label,
          ...(probe ? { probe } : {}),
          ...(f.kind === 'loss'
            ? { loss: { rate: f.rate, direction: f.direction, mode: f.lossMode } }
            : {}),
        };
        activeFaults.set(step.index, { span, step });
        if (f.kind === 'kill-controller') {
          span.end = at + f.recoveryS * 1000;
          spans.push(span);
          activeFaults.delete(step.index);
        }
      } else {
        const active = activeFaults.get(step.index);
        await liftFault(f, targets, step.index, {
          ...ctx,
          startNode: (id) => startNode(run, lab, id),
          tmp: run.tmp,
        });
        const at = now() + (start - origin);
        opts.say(`${(now() / 1000).toFixed(1)} s: lifted ${label}`);
        if (active) {
          active.span.lifted = at;
          active.span.end = f.kind === 'power-cycle' ? at + f.recoveryS * 1000 : at;
          spans.push(active.span);
          activeFaults.delete(step.index);
        }
        progress.phase = activeFaults.size > 0 ? 'faults' : now() < trafficMs ? 'traffic' : 'drain';
      }
    }
    await sleep(trafficMs - now(), opts.signal);
    progress.phase = 'drain: waiting for every lamp to go off';
    await drain(run, observer, now);
  } finally {
    clearInterval(tick);
    bar?.update(Math.floor(now() / 1000), { pressed: progress.pressed, phase: 'done' });
    bar?.stop();
  }
  return { start, spans };
}

/**
 * Right after a (non-loss) fault starts, the probe: a hall call one floor from the failed car,
 * pressed on another panel (its service is the reassignment time). `undefined`: no probe.
 */
function pressProbe(
  run: Run,
  observer: Observer,
  f: Scenario['faults'][number],
  at: number,
): FaultSpan['probe'] {
  const { ids } = run;
  const floors = run.s.building.floors;
  const failed = observer.latest(f.target);
  const other = ids.find((id) => id !== f.target);
  if (f.kind === 'loss' || !failed || other === undefined) return undefined;
  const from = failed.lastFloor;
  const occupied = new Set(
    ids.filter((x) => x !== f.target).map((x) => observer.latest(x)?.floor ?? -1),
  );
  const candidates = [from + 1, from - 1, from + 2, from - 2, from].filter(
    (x) => x >= 0 && x < floors,
  );
  const floor = candidates.find((x) => !occupied.has(x)) ?? from;
  const button = floor === floors - 1 || (floor > from && floor > 0) ? 'hallDown' : 'hallUp';
  observer.press(other, button, floor).catch((err: unknown) => {
    run.note(`probe press on ${other} failed: ${String(err)}`);
  });
  return { t: at, elevator: other, button, floor };
}

/** Step 5: waits until every car is calm (no lamp, door closed, stopped) for a second, or the drain bound. */
async function drain(run: Run, observer: Observer, now: () => number): Promise<void> {
  const drainDeadline = now() + run.s.drainS * 1000;
  let calmSince: number | undefined;
  while (now() < drainDeadline) {
    const calm = run.ids.every((id) => {
      const p = observer.latest(id);
      return (
        p !== undefined &&
        !p.door &&
        p.motor === 'stop' &&
        p.hall.every(([u, d]) => !u && !d) &&
        p.cab.every((c) => !c)
      );
    });
    if (!calm) calmSince = undefined;
    else if (calmSince === undefined) calmSince = now();
    else if (now() - calmSince > 1000) break;
    await sleep(100, run.opts.signal);
  }
}

/** Step 6: stops observing and builds the record, its clock shifted so t = 0 is the start of traffic. */
async function recordRun(
  run: Run,
  lab: NetLab,
  observer: Observer,
  clock: Clock,
  spans: FaultSpan[],
): Promise<RunRecord> {
  const { s, ids, timings } = run;
  const end = performance.now() - clock.origin;
  observer.stop();
  const sent = await lab.sentTraffic().catch((err: unknown) => {
    run.note(`could not read the lab's traffic counters: ${String(err)}`);
    return undefined;
  });
  const { samples, presses: pressLog } = observer.record();
  const shift = clock.start - clock.origin;
  return {
    scenario: s.name,
    elevators: ids,
    floors: s.building.floors,
    trafficEnd: s.traffic.durationS * 1000,
    end: end - shift,
    samples: samples.map((x) => ({ ...x, t: x.t - shift })),
    presses: pressLog.map((p) => ({ ...p, t: p.t - shift })),
    faults: spans.map((f) => ({
      ...f,
      ...(f.probe ? { probe: matchProbe(f.probe, pressLog, shift) } : {}),
      start: f.start - shift,
      lifted: f.lifted - shift,
      end: f.end - shift,
    })),
    bounds: {
      doorOpenMs: timings.doorOpenMs,
      toleranceMs: 100,
      lightBoundMs: 3000,
      agreeBoundMs: 1000,
      settleMs: s.settleS * 1000,
      recoveryMs: (s.recoveryBoundS * 1000) / s.physics.speed,
      peerTimeoutMs: timings.peerTimeoutMs,
      broadcastIntervalMs: timings.broadcastIntervalMs,
    },
    // The nodes log wall-clock times; t = 0 is the start of traffic.
    peerLost: ids.flatMap((id) =>
      parsePeerLost(
        readLog(join(run.logs, `${id}-node.log`)),
        id,
        performance.timeOrigin + clock.start,
      ),
    ),
    ...(sent ? { sent } : {}),
  };
}

/** Step 7: checks the record and writes `report.json`, `record.json` and `timeline.html`. */
function writeArtifacts(run: Run, record: RunRecord): RunResult {
  const { dir, problems } = run;
  const result = checkRun(record);
  const report = buildReport(record, result, { run: run.name, seed: run.s.seed });
  writeFileSync(
    join(dir, 'report.json'),
    `${JSON.stringify({ ...report, problems, timings: run.timings }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'record.json'), `${JSON.stringify(record)}\n`);
  writeFileSync(join(dir, 'timeline.html'), renderTimeline(record, result, report));
  return { report, dir, problems };
}

/** Removes everything the run created, also when it failed or was aborted. */
async function cleanUp(run: Run): Promise<void> {
  run.stopping = true;
  run.bar?.stop();
  run.observer?.stop();
  for (const p of run.processes) p.child.removeAllListeners('exit');
  await Promise.all(
    [...run.supervisors.values(), ...run.processes].map((p) => stopLaunched(p, 1500)),
  );
  await run.lab?.destroy();
  rmSync(run.tmp, { recursive: true, force: true });
}

/** The recorded press (simulator time) of a probe (harness time), shifted like the others. */
function matchProbe(probe: Press, log: Press[], shift: number): Press {
  const candidates = log.filter(
    (p) => p.elevator === probe.elevator && p.button === probe.button && p.floor === probe.floor,
  );
  const best = candidates.sort((a, b) => Math.abs(a.t - probe.t) - Math.abs(b.t - probe.t))[0];
  return { ...(best ?? probe), t: (best ?? probe).t - shift };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-6).join('\n');
  } catch {
    return '';
  }
}

/** The node's timing flags at the scenario's speed. */
export function nodeTimingArgs(t: Timings): string[] {
  return [
    '--door-open-ms',
    String(t.doorOpenMs),
    '--motor-timeout-ms',
    String(t.motorTimeoutMs),
    '--obstruction-timeout-ms',
    String(t.obstructionTimeoutMs),
    '--peer-timeout-ms',
    String(t.peerTimeoutMs),
    '--broadcast-interval-ms',
    String(t.broadcastIntervalMs),
  ];
}
