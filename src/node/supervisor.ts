/**
 * The supervisor of `elevator-mesh node --supervise`: it runs the controller in a child process and
 * restarts it within a second whenever it dies, also after `kill -9`. The child is tied to the
 * supervisor by an IPC channel: if the supervisor itself dies, the child sees the channel close and
 * exits, so a restarted supervisor never finds an orphan holding the elevator server.
 *
 * Signals: SIGINT/SIGTERM stop the child and then the supervisor. SIGUSR1 kills the child with
 * SIGKILL (a crash on demand, for demos and drills). SIGUSR2 toggles a simulated network cut in the
 * child, and the supervisor re-applies it to a restarted child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

export interface SupervisorOptions {
  /** Command and arguments of the child (without `--supervise`). */
  command: string;
  args: string[];
  logger: Logger;
  /** Delay before a restart; kept under a second. */
  restartDelayMs?: number;
}

/** Runs the child until a stop signal; resolves with the exit code for the supervisor. */
export function runSupervisor(options: SupervisorOptions): Promise<number> {
  const log = options.logger;
  const restartDelayMs = Math.min(options.restartDelayMs ?? 200, 900);
  let child: ChildProcess | null = null;
  let stopping = false;
  let networkCut = false;
  let restarts = 0;

  return new Promise((resolve) => {
    const start = () => {
      const c = spawn(options.command, options.args, {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child = c;
      log.info({ pid: c.pid, restarts }, 'controller process started');
      c.once('spawn', () => {
        if (networkCut) c.kill('SIGUSR2');
      });
      c.once('exit', (code, signal) => {
        child = null;
        if (stopping) {
          log.info({ code, signal }, 'controller process stopped');
          resolve(0);
          return;
        }
        restarts += 1;
        log.error(
          { code, signal, restartInMs: restartDelayMs },
          'controller process died; restarting',
        );
        setTimeout(start, restartDelayMs);
      });
    };

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'supervisor stopping');
      if (child === null) resolve(0);
      else child.kill('SIGTERM');
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGUSR1', () => {
      log.warn('crash drill: killing the controller process with SIGKILL');
      child?.kill('SIGKILL');
    });
    process.on('SIGUSR2', () => {
      networkCut = !networkCut;
      child?.kill('SIGUSR2');
    });
    start();
  });
}
