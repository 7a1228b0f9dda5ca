/**
 * Runs one scenario on real processes over a real (namespaced) network:
 *
 * 1. builds the lab ({@link NetLab}): a namespace per elevator on one bridge;
 * 2. in each namespace starts our simulator (`elevator-mesh sim --headless`), a forwarder for its
 *    control API, and a supervised node (`elevator-mesh node --supervise`) talking UDP broadcast;
 * 3. waits until every node drives its car and the cars stand at a floor;
 * 4. plays the plan: random presses through the control APIs, faults on the timeline;
 * 5. after traffic and faults end, waits for every lamp to go off (or the drain bound);
 * 6. checks the record, writes `report.json`, `timeline.html` and `record.json` to the run's
 *    artifacts directory (process logs are in its `logs/`), and removes everything it created,
 *    also when it fails or is aborted.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import cliProgress from 'cli-progress';
import type { Scenario, Timings } from './scenario.js';
import { elevatorIds, timingsAt } from './scenario.js';
import type { FaultSpan, Panel, Press, RunRecord } from './run-record.js';
import { NetLab } from './netns-lab.js';
import type { Launched } from './launcher.js';
import { childrenOf, cliArgs, killGroup, launch, moduleArgs, stopLaunched } from './launcher.js';
import { SimClient } from './sim-client.js';
import { Observer } from './observer.js';
import type { PlanStep } from './plan.js';
import { buildPlan, faultLabel } from './plan.js';
import { checkRun } from './checks.js';
import { parsePeerLost } from './peer-flaps.js';
import type { Report } from './report.js';
import { buildReport } from './report.js';
import { renderTimeline } from './timeline-html.js';
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

/** Runs a scenario (see module comment). */
export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const { scenario: s, signal, say } = opts;
  const runId = opts.runId ?? newRunId();
  const run = `${s.name}-${runId}`;
  const dir = resolve(opts.artifactsRoot, run);
  const logs = join(dir, 'logs');
  const tmp = `/tmp/emacc-${runId}`;
  mkdirSync(logs, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const ids = elevatorIds(s.building.elevators);
  const timings = timingsAt(s.physics.speed);
  const problems: string[] = [];
  const processes: Launched[] = [];
  const supervisors = new Map<string, Launched>();
  let lab: NetLab | undefined;
  let observer: Observer | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let stopping = false;
  const nodeExits: string[] = [];

  const note = (line: string): void => {
    problems.push(line);
  };

  try {
    say(
      `run ${run}: ${ids.length} elevators, ${s.building.floors} floors, physics x${s.physics.speed}, seed ${s.seed}`,
    );
    lab = await NetLab.create({
      run: runId,
      hosts: ids,
      subnetOctet: 1 + (parseInt(runId, 16) % 254),
      peerPort: PEER_PORT,
    });
    const theLab = lab;
    const clients = new Map<string, SimClient>();
    for (const [i, id] of ids.entries()) {
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
      processes.push(launch(theLab.execPrefix(id), simArgs, join(logs, `${id}-sim.log`)));
      const socket = join(tmp, `${id}.sock`);
      processes.push(
        launch(
          theLab.execPrefix(id),
          [...moduleArgs('acceptance/uds-forwarder'), socket, String(CONTROL_PORT)],
          join(logs, `${id}-forwarder.log`),
        ),
      );
      clients.set(id, new SimClient(socket));
    }
    for (const p of processes) {
      p.child.once('exit', (code, sig) => {
        note(
          `a helper process exited early (${p.logFile}): code ${String(code)}, signal ${String(sig)}`,
        );
      });
    }
    say('waiting for the simulators');
    for (const [id, client] of clients) {
      await waitFor(
        `simulator ${id}`,
        () =>
          client.state().then(
            () => true,
            () => false,
          ),
        30_000,
        signal,
      );
    }

    const startNode = (id: string): Launched => {
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
        join(tmp, 'state', id),
        '--peer-port',
        String(PEER_PORT),
        '--broadcast-address',
        theLab.broadcast,
        ...nodeTimingArgs(timings),
        ...(s.node.assigner === undefined ? [] : ['--assigner', s.node.assigner]),
        '--log-level',
        opts.logLevel,
      ]);
      const p = launch(theLab.execPrefix(id), args, join(logs, `${id}-node.log`));
      supervisors.set(id, p);
      p.child.once('exit', (code, sig) => {
        if (sig !== 'SIGKILL' && !stopping) {
          nodeExits.push(
            `${id}'s supervisor exited (code ${String(code)}, signal ${String(sig)}); its log: ${p.logFile}\n${tail(p.logFile)}`,
          );
        }
      });
      return p;
    };
    const origin = performance.now();
    observer = new Observer(clients, origin);
    await observer.start();
    const obs = observer;
    for (const id of ids) startNode(id);
    say('waiting for the nodes to drive their cars to a floor');
    await waitFor(
      'every node connected, every car at a floor with its door closed',
      () => {
        if (nodeExits.length > 0) throw new Error(nodeExits.join('\n'));
        return ids.every((id) => {
          const p = obs.latest(id);
          return (
            p !== undefined && p.connected && p.floor !== null && p.motor === 'stop' && !p.door
          );
        });
      },
      60_000,
      signal,
    );
    // Let the peers find each other before the first press.
    await sleep(Math.max(2000, 3 * timings.peerTimeoutMs), signal);

    const plan = buildPlan(s);
    const start = performance.now();
    const now = (): number => performance.now() - start;
    const trafficMs = s.traffic.durationS * 1000;
    const lastPlanned = Math.max(trafficMs, ...plan.map((p) => p.at));
    const presses = plan.filter((p) => p.type === 'press').length;
    let pressed = 0;
    let phase = 'traffic';
    const activeFaults = new Map<
      number,
      { span: FaultSpan; step: PlanStep & { type: 'fault-start' } }
    >();
    const spans: FaultSpan[] = [];
    if (opts.progress) {
      bar = new cliProgress.SingleBar(
        {
          format: `${s.name} [{bar}] {value}/{total} s | presses {pressed}/{presses} | {phase}`,
          noTTYOutput: true,
          notTTYSchedule: 5000,
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.ceil((lastPlanned + s.drainS * 1000) / 1000), 0, { pressed, presses, phase });
    }
    const tick = setInterval(() => {
      bar?.update(Math.floor(now() / 1000), { pressed, phase });
    }, 250);
    try {
      for (const step of plan) {
        await sleep(step.at - now(), signal);
        if (step.type === 'press') {
          pressed++;
          obs.press(step.elevator, step.button, step.floor).catch((err: unknown) => {
            note(`press ${step.button} ${step.floor} on ${step.elevator} failed: ${String(err)}`);
          });
          continue;
        }
        const f = step.fault;
        const label = faultLabel(f);
        const targets = f.target === 'all' ? ids : [f.target];
        if (step.type === 'fault-start') {
          phase = label;
          say(`${(now() / 1000).toFixed(1)} s: ${label}`);
          await startFault(f, targets, step.index, {
            floors: s.building.floors,
            lab: theLab,
            observer: obs,
            clients,
            supervisors,
            note,
          });
          // The fault is in effect from now (a motor fault may have waited for a moving car).
          const at = now() + (start - origin);
          let probe: FaultSpan['probe'];
          const failed = obs.latest(f.target);
          const other = ids.find((id) => id !== f.target);
          if (f.kind !== 'loss' && failed && other !== undefined) {
            const from = failed.lastFloor;
            const occupied = new Set(
              ids.filter((x) => x !== f.target).map((x) => obs.latest(x)?.floor ?? -1),
            );
            const candidates = [from + 1, from - 1, from + 2, from - 2, from].filter(
              (x) => x >= 0 && x < s.building.floors,
            );
            const floor = candidates.find((x) => !occupied.has(x)) ?? from;
            const button =
              floor === s.building.floors - 1 || (floor > from && floor > 0)
                ? 'hallDown'
                : 'hallUp';
            probe = { t: at, elevator: other, button, floor };
            obs.press(other, button, floor).catch((err: unknown) => {
              note(`probe press on ${other} failed: ${String(err)}`);
            });
          }
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
            floors: s.building.floors,
            lab: theLab,
            observer: obs,
            clients,
            supervisors,
            note,
            startNode,
            tmp,
          });
          const at = now() + (start - origin);
          say(`${(now() / 1000).toFixed(1)} s: lifted ${label}`);
          if (active) {
            active.span.lifted = at;
            active.span.end = f.kind === 'power-cycle' ? at + f.recoveryS * 1000 : at;
            spans.push(active.span);
            activeFaults.delete(step.index);
          }
          phase = activeFaults.size > 0 ? 'faults' : now() < trafficMs ? 'traffic' : 'drain';
        }
      }
      await sleep(trafficMs - now(), signal);
      phase = 'drain: waiting for every lamp to go off';
      const drainDeadline = now() + s.drainS * 1000;
      let calmSince: number | undefined;
      while (now() < drainDeadline) {
        const calm = ids.every((id) => {
          const p = obs.latest(id);
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
        await sleep(100, signal);
      }
    } finally {
      clearInterval(tick);
      bar?.update(Math.floor(now() / 1000), { pressed, phase: 'done' });
      bar?.stop();
    }
    const end = performance.now() - origin;
    observer.stop();
    const sent = await theLab.sentTraffic().catch((err: unknown) => {
      note(`could not read the lab's traffic counters: ${String(err)}`);
      return undefined;
    });
    const { samples, presses: pressLog } = observer.record();
    // Shift the run's clock so t = 0 is the start of traffic.
    const shift = start - origin;
    const record: RunRecord = {
      scenario: s.name,
      elevators: ids,
      floors: s.building.floors,
      trafficEnd: trafficMs,
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
        parsePeerLost(readLog(join(logs, `${id}-node.log`)), id, performance.timeOrigin + start),
      ),
      ...(sent ? { sent } : {}),
    };
    problems.push(...observer.problems, ...nodeExits);
    const result = checkRun(record);
    const report = buildReport(record, result, { run, seed: s.seed });
    writeFileSync(
      join(dir, 'report.json'),
      `${JSON.stringify({ ...report, problems, timings }, null, 2)}\n`,
    );
    writeFileSync(join(dir, 'record.json'), `${JSON.stringify(record)}\n`);
    writeFileSync(join(dir, 'timeline.html'), renderTimeline(record, result, report));
    return { report, dir, problems };
  } finally {
    stopping = true;
    bar?.stop();
    observer?.stop();
    for (const p of processes) p.child.removeAllListeners('exit');
    await Promise.all([...supervisors.values(), ...processes].map((p) => stopLaunched(p, 1500)));
    await lab?.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
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

/** Waits until `cond` holds for an elevator's latest panel; `false` after `ms`. */
async function waitForPanel(
  observer: Observer,
  id: string,
  cond: (p: Panel) => boolean,
  ms: number,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    const p = observer.latest(id);
    if (p && cond(p)) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface FaultContext {
  floors: number;
  lab: NetLab;
  observer: Observer;
  clients: Map<string, SimClient>;
  supervisors: Map<string, Launched>;
  note: (line: string) => void;
}

async function startFault(
  f: Scenario['faults'][number],
  targets: string[],
  index: number,
  ctx: FaultContext,
): Promise<void> {
  const tag = `fault${index}`;
  for (const id of targets) {
    switch (f.kind) {
      case 'loss':
        await ctx.lab.addLoss(id, f.rate, f.direction, tag, f.lossMode);
        break;
      case 'disconnect':
        if (f.method === 'link-down') await ctx.lab.setLink(id, false);
        else await ctx.lab.addLoss(id, 1, 'both', tag, 'datagram');
        break;
      case 'kill-controller': {
        const sup = ctx.supervisors.get(id);
        const kids = sup ? await childrenOf(sup.pid) : [];
        if (kids.length === 0) ctx.note(`kill-controller ${id}: no controller process found`);
        for (const pid of kids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            ctx.note(`kill-controller ${id}: pid ${pid} already gone`);
          }
        }
        break;
      }
      case 'power-cycle': {
        const sup = ctx.supervisors.get(id);
        if (sup) killGroup(sup.pid, 'SIGKILL');
        break;
      }
      case 'motor-power':
        if (f.whenMoving) {
          // Cut the power of a moving car, so it stops between floors. An idle car gets a cab
          // call to the far end first (a call that must wait for it).
          const moving = (p: Panel): boolean => p.motor !== 'stop' && p.floor === null;
          if (!(await waitForPanel(ctx.observer, id, moving, 500))) {
            const p = ctx.observer.latest(id);
            if (p) {
              const far = p.lastFloor < ctx.floors / 2 ? ctx.floors - 1 : 0;
              await ctx.observer.press(id, 'cab', far).catch(() => undefined);
            }
            if (!(await waitForPanel(ctx.observer, id, moving, 15_000)))
              ctx.note(`motor-power ${id}: the car did not move; power cut while it stood`);
          }
        }
        await ctx.clients.get(id)?.setMotorPower(false);
        break;
      case 'obstruction':
        if (f.whenDoorOpen) {
          // Obstruct an open door (that is when the switch matters). An idle car gets a cab
          // call at its own floor, which opens its door.
          const open = (p: Panel): boolean => p.door;
          if (!(await waitForPanel(ctx.observer, id, open, 300))) {
            const p = ctx.observer.latest(id);
            if (p && p.floor !== null && p.motor === 'stop')
              await ctx.observer.press(id, 'cab', p.floor).catch(() => undefined);
            if (!(await waitForPanel(ctx.observer, id, open, 15_000)))
              ctx.note(`obstruction ${id}: the door did not open; obstructed while closed`);
          }
        }
        await ctx.clients.get(id)?.setObstruction(true);
        break;
    }
  }
}

async function liftFault(
  f: Scenario['faults'][number],
  targets: string[],
  index: number,
  ctx: FaultContext & { startNode: (id: string) => Launched; tmp: string },
): Promise<void> {
  const tag = `fault${index}`;
  for (const id of targets) {
    switch (f.kind) {
      case 'loss':
        await ctx.lab.removeLoss(id, f.rate, f.direction, tag, f.lossMode);
        break;
      case 'disconnect':
        if (f.method === 'link-down') await ctx.lab.setLink(id, true);
        else await ctx.lab.removeLoss(id, 1, 'both', tag, 'datagram');
        break;
      case 'kill-controller':
        break;
      case 'power-cycle':
        if (f.wipeState) rmSync(join(ctx.tmp, 'state', id), { recursive: true, force: true });
        ctx.startNode(id);
        break;
      case 'motor-power':
        await ctx.clients.get(id)?.setMotorPower(true);
        break;
      case 'obstruction':
        await ctx.clients.get(id)?.setObstruction(false);
        break;
    }
  }
}
