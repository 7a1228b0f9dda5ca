/**
 * `elevator-mesh node`: runs one elevator's controller against its elevator server, as a peer of
 * the others on the LAN. With `--supervise` it runs the controller in a child process that is
 * restarted whenever it dies.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { createDispatch } from '../../core/assigner/index.js';
import { DurableStateStore } from '../../io/durable-state-store.js';
import { createHmacAuthenticator } from '../../io/hmac.js';
import { Heartbeat } from '../../io/heartbeat.js';
import { startMetricsServer } from '../../io/metrics-server.js';
import { TcpElevatorDriver } from '../../io/tcp-elevator-driver.js';
import { UdpPeerTransport } from '../../io/udp-peer-transport.js';
import { addConfigOptions, flagsFromCommand } from '../../node/config-options.js';
import { ControllerNode } from '../../node/controller-node.js';
import { loadConfig } from '../../node/load-node-config.js';
import { countSentDatagrams, createNodeMetrics } from '../../node/metrics.js';
import { ConfigError } from '../../node/node-config.js';
import { runSupervisor } from '../../node/supervisor.js';

/** Registers the `node` subcommand. */
export function register(program: Command): void {
  const command = program
    .command('node')
    .description(
      'run one elevator controller (flags > ELEVATOR_* environment > config file > defaults)',
    )
    .option('--supervise', 'run the controller in a child process, restarted whenever it dies')
    .option(
      '--fault-control',
      'demo/drill hook: SIGUSR2 toggles a simulated network cut (all peer traffic dropped)',
    );
  addConfigOptions(command);
  command.action(async () => {
    const opts = command.opts<{ supervise?: boolean; faultControl?: boolean }>();
    const resolved = loadConfig({ flags: flagsFromCommand(command), env: process.env });
    if (resolved instanceof ConfigError) {
      process.stderr.write(`elevator-mesh node: invalid configuration\n${resolved.message}\n`);
      process.exitCode = 2;
      return;
    }
    const { config } = resolved;
    // Synchronous log writes: a crash loses no line.
    const logger = pino(
      { level: config.logLevel, base: { node: config.id } },
      pino.destination({ dest: 1, sync: true }),
    );
    for (const warning of resolved.warnings) logger.warn(warning);

    if (opts.supervise === true) {
      const args = process.argv.slice(1).filter((a) => a !== '--supervise');
      process.exitCode = await runSupervisor({
        command: process.execPath,
        args: [...process.execArgv, ...args],
        logger: logger.child({ role: 'supervisor' }),
      });
      return;
    }

    const metrics = config.metricsPort === undefined ? undefined : createNodeMetrics();
    // One timer for the poll, the control loop and the broadcast: one wakeup a beat. The beat is
    // the shorter of the two configured periods, so neither runs slower than configured.
    const heartbeat = new Heartbeat(Math.min(config.pollIntervalMs, config.broadcastIntervalMs));
    const node = new ControllerNode({
      config,
      logger,
      heartbeat,
      io: new TcpElevatorDriver({
        floors: config.floors,
        host: config.server.host,
        port: config.server.port,
        pollIntervalMs: config.pollIntervalMs,
        heartbeat,
        replyTimeoutMs: config.serverTimeoutMs,
        logger,
      }),
      transport: ((t) => (metrics === undefined ? t : countSentDatagrams(t, metrics)))(
        new UdpPeerTransport({
          peerPort: config.peerPort,
          broadcastAddress: config.broadcastAddress,
          logger,
        }),
      ),
      store: new DurableStateStore(config.stateDir),
      ...createDispatch(config.assigner),
      now: () => performance.now(),
      // A starved process is late, never unsafe: its own stalls do not count (docs/design.md).
      maxClockStepMs: 100,
      wallClock: () => Date.now(),
      random: Math.random,
      auth: config.key === undefined ? undefined : createHmacAuthenticator(config.key),
      metrics,
    });
    const metricsServer =
      metrics === undefined || config.metricsPort === undefined
        ? undefined
        : await startMetricsServer({
            port: config.metricsPort,
            render: () => metrics.registry.render(),
          });
    if (metricsServer !== undefined) logger.info({ url: metricsServer.url }, 'metrics served');

    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      void Promise.all([node.stop(), metricsServer?.stop()]).then(() => process.exit(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    // Supervised: when the supervisor goes away, so do we (no orphan holding the elevator server).
    process.on('disconnect', () => shutdown('supervisor gone'));
    if (opts.faultControl === true)
      process.on('SIGUSR2', () => node.setNetworkCut(!node.isNetworkCut));
    else process.on('SIGUSR2', () => logger.warn('SIGUSR2 ignored: --fault-control is off'));

    try {
      await node.start();
    } catch (err) {
      logger.fatal({ err }, 'could not start');
      process.exit(1);
    }
  });
}
