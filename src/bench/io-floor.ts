/**
 * The I/O floor of a node (a benchmark process, not a product one): `npm run bench:cost -- --floor`
 * runs it in place of each controller, to measure what the node's I/O alone costs on this machine.
 *
 * It does exactly the I/O a controller node does in a warm idle building and nothing else: on one
 * timer, every `--poll-ms` one write of a whole poll cycle (every button, the floor sensor, stop,
 * obstruction: the same frames the driver sends) to the elevator server, its replies read; every
 * `--broadcast-ms` one datagram of `--bytes` bytes broadcast to the peer port; every peer datagram
 * received. No parsing, no HMAC, no controller, no logging. What a node costs above this is its own
 * work; this much any implementation with the same poll and broadcast rates pays.
 *
 * Usage: node --import tsx src/bench/io-floor.ts --server HOST:PORT --floors N --peer-port P
 *   --broadcast-address A [--poll-ms 10] [--broadcast-ms 30] [--bytes 260]
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { Heartbeat } from '../io/heartbeat.js';
import { encodeCommand, pollCycleReads } from '../protocol/elevator-frames.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    floors: { type: 'string' },
    'peer-port': { type: 'string' },
    'broadcast-address': { type: 'string' },
    'poll-ms': { type: 'string', default: '10' },
    'broadcast-ms': { type: 'string', default: '30' },
    bytes: { type: 'string', default: '260' },
  },
});
const need = (name: string, v: string | undefined): string => {
  if (v === undefined) throw new Error(`io-floor: --${name} is required`);
  return v;
};
const [host, port] = need('server', values.server).split(':');
const floors = Number(need('floors', values.floors));
const peerPort = Number(need('peer-port', values['peer-port']));
const broadcastAddress = need('broadcast-address', values['broadcast-address']);
const pollMs = Number(values['poll-ms']);
const broadcastMs = Number(values['broadcast-ms']);

const cycle = Buffer.concat(pollCycleReads(floors).map((r) => encodeCommand(r, floors)));
const datagram = Buffer.alloc(Number(values.bytes), 0x5a);

const heartbeat = new Heartbeat(pollMs);
const socket = net.createConnection({ host: host ?? '127.0.0.1', port: Number(port) });
socket.setNoDelay(true);
let due = 0;
socket.on('data', (chunk: Buffer) => {
  due = Math.max(0, due - chunk.length);
});
socket.on('error', (err) => {
  process.stderr.write(`io-floor: ${err.message}\n`);
  process.exit(1);
});
socket.once('connect', () => {
  heartbeat.every(pollMs, () => {
    if (due > 0) return; // one cycle in flight, as the driver does
    due = cycle.length;
    socket.write(cycle);
  });
});

const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
let heard = 0;
udp.on('message', () => {
  heard++;
});
udp.bind(peerPort, () => {
  udp.setBroadcast(true);
  heartbeat.every(broadcastMs, () => udp.send(datagram, peerPort, broadcastAddress));
});
process.on('SIGTERM', () => {
  process.stderr.write(`io-floor: heard ${heard} datagrams\n`);
  process.exit(0);
});
