/**
 * `elevator-mesh monitor`: the live dashboard. Listens (only listens) to the peers' broadcasts and
 * serves a web page showing the whole system; prints the page's address on start.
 *
 * The shared key, when the peers use one, comes from the environment like the node's:
 * `ELEVATOR_KEY`, or the file named by `ELEVATOR_KEY_FILE`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { DEFAULT_DISPATCH, DISPATCH_NAMES } from '../../core/assigner/index.js';
import {
  DEFAULT_MONITOR_PORT,
  DEFAULT_PEER_PORT,
  startMonitor,
} from '../../dashboard/monitor-server.js';
import { DEFAULT_PEER_TIMEOUT_MS } from '../../dashboard/system-view.js';
import { ensureWebBuild } from '../../dashboard/web-build.js';
import { DEFAULT_BROADCAST_ADDRESS } from '../../io/udp-peer-transport.js';

interface MonitorCliOptions {
  host: string;
  port: number;
  peerPort: number;
  broadcastAddress: string;
  assigner: string;
  peerTimeout: number;
  logLevel: string;
}

function port(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > 65535) {
      throw new InvalidArgumentError(`${name} must be an integer in ${min}..65535`);
    }
    return n;
  };
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) {
    throw new InvalidArgumentError('expected a whole number of milliseconds > 0');
  }
  return n;
}

/** The peers' shared key from the environment, as the node reads it. */
function keyFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ELEVATOR_KEY !== undefined && env.ELEVATOR_KEY !== '') return env.ELEVATOR_KEY;
  const file = env.ELEVATOR_KEY_FILE;
  if (file === undefined || file === '') return undefined;
  return readFileSync(file, 'utf8').replace(/[\r\n]+$/, '');
}

/** Registers the `monitor` subcommand. */
export function register(program: Command): void {
  program
    .command('monitor')
    .description(
      'serve a live web dashboard of the whole system, built from the peers’ broadcasts (read-only)',
    )
    .option('--host <address>', 'HTTP address to listen on', '127.0.0.1')
    .addOption(
      new Option('--port <port>', 'HTTP port of the page (0: any free port)')
        .argParser(port('--port', 0))
        .default(DEFAULT_MONITOR_PORT),
    )
    .addOption(
      new Option('--peer-port <port>', 'UDP port the peers broadcast on')
        .argParser(port('--peer-port', 1))
        .default(DEFAULT_PEER_PORT),
    )
    .option(
      '--broadcast-address <address>',
      'the peers’ broadcast address (127.255.255.255 on one host)',
      DEFAULT_BROADCAST_ADDRESS,
    )
    .addOption(
      new Option('--assigner <name>', 'assigner shown until the nodes announce their strategy')
        .choices(DISPATCH_NAMES)
        .default(DEFAULT_DISPATCH),
    )
    .addOption(
      new Option('--peer-timeout <ms>', 'a node silent this long is shown lost')
        .argParser(milliseconds)
        .default(DEFAULT_PEER_TIMEOUT_MS),
    )
    .option('--log-level <level>', 'log level', process.env.LOG_LEVEL ?? 'info')
    .action(async (options: MonitorCliOptions) => {
      const logger = pino({ level: options.logLevel, base: { component: 'monitor' } });
      let key: string | undefined;
      try {
        key = keyFromEnv(process.env);
      } catch (error) {
        process.stderr.write(
          `elevator-mesh monitor: cannot read ELEVATOR_KEY_FILE: ${(error as Error).message}\n`,
        );
        process.exitCode = 2;
        return;
      }
      const webRoot = await ensureWebBuild();
      const monitor = await startMonitor({
        host: options.host,
        port: options.port,
        peerPort: options.peerPort,
        broadcastAddress: options.broadcastAddress,
        assigner: options.assigner,
        peerTimeoutMs: options.peerTimeout,
        key,
        webRoot,
        logger,
      });
      process.stdout.write(`Dashboard: ${monitor.url}\n`);
      const stop = (): void => {
        void monitor.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
