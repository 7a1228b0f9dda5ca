/**
 * `elevator-mesh demo` (= `npm start`): simulated elevators, supervised controllers and the
 * dashboard, all on this machine, over loopback.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { DEFAULT_DISPATCH } from '../../core/assigner/dispatch.js';
import { toDemoControls } from '../../dashboard/demo-controls.js';
import { startMonitor } from '../../dashboard/monitor-server.js';
import { startDemo } from '../../demo/demo.js';
import { DEFAULT_PORTS } from '../../core/ports.js';

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

/** Registers the `demo` subcommand. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole system on this machine: simulators, supervised nodes, dashboard')
    .option('--elevators <n>', 'number of elevators', integer(1, 16), 3)
    .option('--floors <n>', 'number of floors', integer(2, 50), 4)
    .option(
      '--base-port <port>',
      'first elevator-server port (control APIs at +100)',
      integer(1024, 65000),
      DEFAULT_PORTS.elevatorServer,
    )
    .option(
      '--peer-port <port>',
      'UDP port of the peers',
      integer(1024, 65535),
      DEFAULT_PORTS.peers,
    )
    .option(
      '--monitor-port <port>',
      'port of the dashboard (0 = any free port)',
      integer(0, 65535),
      DEFAULT_PORTS.demo,
    )
    .option('--speed <x>', 'physics speed-up (1 = real time)', integer(1, 50), 1)
    .option('--state-dir <dir>', 'where the nodes keep their state', '.state/demo')
    .option('--assigner <name>', `dispatch strategy of the nodes (default: ${DEFAULT_DISPATCH})`)
    .action(
      async (opts: {
        elevators: number;
        floors: number;
        basePort: number;
        peerPort: number;
        speed: number;
        monitorPort: number;
        stateDir: string;
        assigner?: string;
      }) => {
        const logger = pino(
          { level: process.env['LOG_LEVEL'] ?? 'warn' },
          pino.destination({ dest: 1, sync: true }),
        );
        const broadcastAddress = '127.255.255.255';
        // Peer messages are authenticated: with a key from the environment, or a fresh one per run
        // (the nodes inherit it through ELEVATOR_KEY, the dashboard verifies with it).
        const keySource =
          process.env['ELEVATOR_KEY'] === undefined ? 'a fresh key for this run' : 'ELEVATOR_KEY';
        process.env['ELEVATOR_KEY'] ??= randomBytes(24).toString('hex');
        const demo = await startDemo({
          ...opts,
          broadcastAddress,
          logger,
          // The nodes log warnings and errors here; LOG_LEVEL=info shows every call and peer event.
          nodeArgs: ['--log-level', process.env['LOG_LEVEL'] ?? 'warn'],
          self: { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? ''] },
        });
        const monitor = await startMonitor({
          port: opts.monitorPort,
          peerPort: opts.peerPort,
          broadcastAddress,
          key: process.env['ELEVATOR_KEY'],
          demo: toDemoControls(demo),
          logger,
        });
        const first = demo.elevators[0]?.controlUrl ?? '';
        const lines = [
          '',
          'elevator-mesh demo is running (Ctrl-C stops everything)',
          '',
          `  dashboard: ${monitor.url}  <- open it: watch the cars, press calls, inject faults`,
          ...demo.elevators.map(
            (e) =>
              `  ${e.id}: elevator server 127.0.0.1:${e.simulator.port}, simulator control ${e.controlUrl}`,
          ),
          `  peers: UDP broadcast ${broadcastAddress}:${opts.peerPort}, HMAC-authenticated with ${keySource}`,
          `  node state (cab calls) in ${opts.stateDir}/<id>/state.json`,
          '',
          'Or press buttons through a simulator control API, for example:',
          `  curl -X POST ${first}/press -d '{"button":"hallUp","floor":0}'`,
          `  curl -X POST ${first}/press -d '{"button":"cab","floor":3}'`,
          `  curl ${first}/state`,
          '',
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          process.stdout.write('stopping the demo...\n');
          void Promise.all([demo.stop(), monitor.close()]).then(() => process.exit(0));
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      },
    );
}
