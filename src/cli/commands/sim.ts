/**
 * `elevator-mesh sim`: our elevator simulator (server side of the 4-byte elevator protocol), with
 * a terminal view on a TTY and an optional HTTP control API.
 *
 * `--control-port` is off unless given: the control API can press buttons and cut motor power,
 * so it only runs when asked for (`--control-port 0` picks a free port; the actual port is in
 * the "simulator listening" log line and the view's header).
 *
 * Logs are pino JSON lines on stdout when headless (or stdout is not a TTY); with the terminal
 * view they are shown in the view's last lines instead, so they do not tear the screen.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { Simulator } from '../../sim/sim-server.js';
import { SimConfigError, startSimulator } from '../../sim/sim-server.js';
import type { TerminalView } from '../../sim/terminal-view.js';
import { startTerminalView } from '../../sim/terminal-view.js';
import { REFERENCE_PHYSICS } from '../../core/timings.js';
import { DEFAULT_PORTS } from '../../core/ports.js';

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
    }
    return n;
  };
}

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };
}

interface SimCliOptions {
  port: number;
  host: string;
  floors: number;
  travelMs: number;
  passingMs: number;
  pressMs: number;
  startFloor?: number;
  seed?: number;
  controlPort?: number;
  headless?: boolean;
  logLevel: string;
}

/** Registers the `sim` subcommand. */
export function register(program: Command): void {
  program
    .command('sim')
    .description(
      'run the elevator simulator: a TCP elevator server (4-byte protocol), a terminal view, an optional HTTP control API',
    )
    .option(
      '--port <n>',
      'TCP port of the elevator protocol',
      int('--port', 0, 65535),
      DEFAULT_PORTS.elevatorServer,
    )
    .option('--host <addr>', 'address the TCP server listens on', '127.0.0.1')
    .option('--floors <n>', 'number of floors (2 or more)', int('--floors', 2, 255), 4)
    .option(
      '--travel-ms <ms>',
      'travel time between floors',
      positive('--travel-ms'),
      REFERENCE_PHYSICS.travelMs,
    )
    .option(
      '--passing-ms <ms>',
      'time the sensor reads a floor when passing it',
      positive('--passing-ms'),
      REFERENCE_PHYSICS.passingMs,
    )
    .option(
      '--press-ms <ms>',
      'how long a momentary button press lasts',
      positive('--press-ms'),
      200,
    )
    .option(
      '--start-floor <n>',
      'start at this floor (default: random, maybe between floors)',
      int('--start-floor', 0, 254),
    )
    .option(
      '--seed <n>',
      'seed of the random start (default: random, logged)',
      int('--seed', 0, 2 ** 31 - 1),
    )
    .option(
      '--control-port <n>',
      'serve the HTTP control API on 127.0.0.1:<n> (0: any free port; default: no control API)',
      int('--control-port', 0, 65535),
    )
    .option('--headless', 'no terminal view (also when stdout is not a TTY)')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default(process.env.LOG_LEVEL ?? 'info'),
    )
    .action(async (opts: SimCliOptions) => {
      await runSim(opts);
    });
}

async function runSim(opts: SimCliOptions): Promise<void> {
  const withView = !opts.headless && process.stdout.isTTY && process.stdin.isTTY;
  const recent: string[] = [];
  const viewLog = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const rec = JSON.parse(line) as { msg?: string; level?: number };
          recent.push(`[${new Date().toLocaleTimeString()}] ${rec.msg ?? line}`);
        } catch {
          recent.push(line);
        }
      }
      recent.splice(0, Math.max(0, recent.length - 5));
      done();
    },
  });
  const logger = withView
    ? pino({ level: opts.logLevel, base: { component: 'sim' } }, viewLog)
    : pino({ level: opts.logLevel, base: { component: 'sim' } });

  let sim: Simulator;
  try {
    sim = await startSimulator({
      port: opts.port,
      host: opts.host,
      floors: opts.floors,
      travelMs: opts.travelMs,
      passingMs: opts.passingMs,
      pressMs: opts.pressMs,
      startFloor: opts.startFloor,
      seed: opts.seed,
      controlPort: opts.controlPort,
      logger,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `elevator-mesh sim: ${err instanceof SimConfigError ? '' : 'cannot start: '}${message}\n`,
    );
    process.exitCode = err instanceof SimConfigError ? 2 : 1;
    return;
  }

  let view: TerminalView | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    view?.stop();
    logger.info({ signal }, 'simulator stopping');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`elevator-mesh sim: error while closing: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  if (withView) {
    view = startTerminalView(
      sim,
      { input: process.stdin, output: process.stdout },
      { onExit: () => shutdown('ctrl-c'), log: () => recent },
    );
    // Whatever ends the process (even a crash), give the user their terminal back.
    process.once('exit', () => view?.stop());
  }
}
