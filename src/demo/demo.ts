/**
 * The demo: the whole system on this machine. N simulated elevators (in this process, headless,
 * each with its control API), N supervised controller nodes (real child processes talking UDP
 * broadcast on loopback), and the live dashboard. Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { startSimulator, type Simulator } from '../sim/sim-server.js';

export interface DemoOptions {
  elevators: number;
  floors: number;
  /** First elevator-server port; elevator i uses basePort + i, its control API basePort + 100 + i. */
  basePort: number;
  peerPort: number;
  broadcastAddress: string;
  stateDir: string;
  /** Physics speed-up (1 = real time, as the lab's simulator). */
  speed: number;
  /** Where each simulated car starts (default: random, as the reference simulator). */
  startFloors?: readonly number[] | undefined;
  assigner?: string | undefined;
  /** Extra flags for every node (e.g. timings scaled with `speed`). */
  nodeArgs?: string[];
  logger: Logger;
  /** How to run this program again (the node processes): command and leading arguments. */
  self: { command: string; args: string[] };
}

/** One elevator of the demo: its simulator and its supervised node. */
export interface DemoElevator {
  id: string;
  simulator: Simulator;
  controlUrl: string;
  supervisor: ChildProcess | null;
}

export interface Demo {
  elevators: DemoElevator[];
  /** Powers a node off (supervisor and controller): it stays down until `restart`. */
  kill(id: string): Promise<void>;
  restart(id: string): Promise<void>;
  /** Simulated cable pull: the node drops all peer traffic until `reconnect`. */
  disconnect(id: string): Promise<void>;
  reconnect(id: string): Promise<void>;
  isDisconnected(id: string): boolean;
  stop(): Promise<void>;
}

/** Starts the demo. */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const log = options.logger;
  const elevators: DemoElevator[] = [];
  const disconnected = new Set<string>();
  const scaled = (ms: number) => Math.max(1, Math.round(ms / options.speed));
  for (let i = 0; i < options.elevators; i++) {
    const id = `e${i + 1}`;
    const simulator = await startSimulator({
      port: options.basePort + i,
      controlPort: options.basePort + 100 + i,
      floors: options.floors,
      travelMs: scaled(2000),
      passingMs: scaled(500),
      startFloor: options.startFloors?.[i],
      logger: log.child({ sim: id }),
    });
    elevators.push({
      id,
      simulator,
      controlUrl: `http://127.0.0.1:${simulator.controlPort ?? 0}`,
      supervisor: null,
    });
  }

  const spawnNode = (e: DemoElevator, index: number) => {
    const stateDir = resolve(join(options.stateDir, e.id));
    mkdirSync(stateDir, { recursive: true });
    const args = [
      ...options.self.args,
      'node',
      '--supervise',
      '--fault-control',
      '--id',
      e.id,
      '--server',
      `127.0.0.1:${options.basePort + index}`,
      '--floors',
      String(options.floors),
      '--state-dir',
      stateDir,
      '--peer-port',
      String(options.peerPort),
      '--broadcast-address',
      options.broadcastAddress,
      '--door-open-ms',
      String(scaled(3000)),
      '--motor-timeout-ms',
      String(Math.max(scaled(4000), 400)),
      '--obstruction-timeout-ms',
      String(scaled(5000)),
      ...(options.assigner === undefined ? [] : ['--assigner', options.assigner]),
      ...(options.nodeArgs ?? []),
    ];
    const child = spawn(options.self.command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    // Node logs go to the demo's log, one JSON line each, tagged by node.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const line of chunk.split('\n'))
        if (line.trim() !== '') process.stdout.write(`${line}\n`);
    });
    e.supervisor = child;
    child.once('exit', () => {
      if (e.supervisor === child) e.supervisor = null;
    });
    if (disconnected.has(e.id)) child.once('spawn', () => child.kill('SIGUSR2'));
  };
  elevators.forEach(spawnNode);

  const find = (id: string): [DemoElevator, number] => {
    const index = elevators.findIndex((e) => e.id === id);
    const e = elevators[index];
    if (e === undefined) throw new Error(`no elevator ${id}`);
    return [e, index];
  };
  const waitExit = (child: ChildProcess) =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('exit', () => done());
    });

  return {
    elevators,
    async kill(id) {
      const [e] = find(id);
      const child = e.supervisor;
      if (child === null) return;
      log.warn({ node: id }, 'demo: powering the node off (SIGKILL of its supervisor)');
      child.kill('SIGKILL');
      await waitExit(child);
    },
    async restart(id) {
      const [e, index] = find(id);
      if (e.supervisor !== null) {
        // Already running: a crash on demand, which its supervisor recovers from.
        e.supervisor.kill('SIGUSR1');
        return;
      }
      log.info({ node: id }, 'demo: powering the node on');
      spawnNode(e, index);
      await Promise.resolve();
    },
    async disconnect(id) {
      const [e] = find(id);
      if (disconnected.has(id)) return;
      disconnected.add(id);
      e.supervisor?.kill('SIGUSR2');
      await Promise.resolve();
    },
    async reconnect(id) {
      const [e] = find(id);
      if (!disconnected.has(id)) return;
      disconnected.delete(id);
      e.supervisor?.kill('SIGUSR2');
      await Promise.resolve();
    },
    isDisconnected: (id) => disconnected.has(id),
    async stop() {
      await Promise.all(
        elevators.map(async (e) => {
          const child = e.supervisor;
          if (child !== null) {
            child.kill('SIGTERM');
            await waitExit(child);
          }
        }),
      );
      await Promise.all(elevators.map((e) => e.simulator.close()));
    },
  };
}
