/**
 * How the harness starts our own programs inside a namespace: the CLI (`sim`, `node`) and the
 * control-API forwarder. When the harness runs from sources (tsx), they run from sources too
 * (`node --import tsx <repo>/src/...ts`: one process, so a signal reaches the real program);
 * when it runs from `dist/`, they run the built files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fromSources = import.meta.url.endsWith('.ts');
/** The repository (or package) root: `src/acceptance/..` or `dist/acceptance/..`. */
export const PACKAGE_ROOT = resolve(here, '..', '..');

/** Node arguments that run one of our modules, given its path under `src/` without extension. */
export function moduleArgs(modulePath: string): string[] {
  return fromSources
    ? ['--import', 'tsx', join(PACKAGE_ROOT, 'src', `${modulePath}.ts`)]
    : [join(PACKAGE_ROOT, 'dist', `${modulePath}.js`)];
}

/** Node arguments that run `elevator-mesh <args...>`. */
export function cliArgs(args: readonly string[]): string[] {
  return [...moduleArgs('cli/main'), ...args];
}

/** A program started by the harness. */
export interface Launched {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
}

/**
 * Spawns `node <args>` under `prefix` (e.g. `ip netns exec <ns>`, which execs, so the pid is the
 * program's own) in a process group of its own, appending stdout and stderr to `logFile`.
 */
export function launch(
  prefix: readonly string[],
  args: readonly string[],
  logFile: string,
): Launched {
  const fd = openSync(logFile, 'a');
  const [file, ...rest] = [...prefix, process.execPath, ...args];
  try {
    const child = spawn(file ?? process.execPath, rest, {
      cwd: PACKAGE_ROOT,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    if (child.pid === undefined) throw new Error(`could not start ${[file, ...rest].join(' ')}`);
    child.on('error', () => undefined);
    return { child, pid: child.pid, logFile };
  } finally {
    closeSync(fd);
  }
}

/** Sends `signal` to a process group, ignoring a group that is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The pids of a process's children (from /proc). */
export async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Stops a launched program: SIGTERM to its group, SIGKILL after `graceMs`. */
export async function stopLaunched(p: Launched, graceMs = 2000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) {
    killGroup(p.pid, 'SIGKILL'); // its children, if any
    return;
  }
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  killGroup(p.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  await Promise.race([exited, timer]);
  killGroup(p.pid, 'SIGKILL');
}
