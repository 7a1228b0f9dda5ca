/**
 * Flood benchmark: a hostile sender blasts a real node's peer port while calls are pressed through
 * the simulator, and the node's control-loop latency, drops by reason and call service are
 * printed. With `ELEVATOR_KEY` set (16+ chars) the node authenticates peers (forged = bad MAC);
 * without it, forged envelopes from fake ids are well-formed and accepted.
 *
 * Usage: node --import tsx src/bench/flood.ts [--rate 10000] [--seconds 10] [--seed N]
 *        [--press-every-ms 1000] [--no-key] (ignore ELEVATOR_KEY) [--json]
 */
import { parseArgs } from 'node:util';
import { formatFloodReport, runFlood } from './flood-run.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    seed: { type: 'string' },
    'press-every-ms': { type: 'string', default: '1000' },
    'no-key': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const key = values['no-key'] ? undefined : process.env.ELEVATOR_KEY;
if (key !== undefined && key.length < 16) {
  process.stderr.write('ELEVATOR_KEY must be at least 16 characters\n');
  process.exit(2);
}
const report = await runFlood({
  key,
  rate: Number(values.rate),
  seconds: Number(values.seconds),
  pressEveryMs: Number(values['press-every-ms']),
  ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(
  values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFloodReport(report)}\n`,
);
const ok =
  report.nodeAliveAfterFlood &&
  report.lampsClearedWithoutService.length === 0 &&
  report.calls.every((c) => c.servedAt !== null && c.arrivedAt !== null);
process.exitCode = ok ? 0 : 1;
