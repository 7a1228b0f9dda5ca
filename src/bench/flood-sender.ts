/**
 * A hostile host on the peer port, as its own process: it blasts datagrams at a broadcast address
 * at a fixed rate, then prints one JSON line with what it sent.
 *
 * Modes:
 * - `key`: the victim has a shared key; the sender does not. Garbage, random JSON, truncated
 *   envelopes, envelopes without a MAC and envelopes signed with the wrong key.
 * - `nokey`: the victim has no key, so well-formed envelopes are accepted. Garbage plus forged
 *   envelopes from many fake ids (increasing sequence numbers, so they pass replay protection)
 *   carrying bogus content: lit hall calls from fake origins, cab calls of fake elevators, fake
 *   elevators claiming to be available at random floors.
 *
 * Usage: node --import tsx src/bench/flood-sender.ts --port P [--address 127.255.255.255]
 *        [--rate 10000] [--seconds 10] [--mode key|nokey] [--seed N] [--floors 4]
 */
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { createHmacAuthenticator } from '../io/hmac.js';
import { encodeEnvelope } from '../protocol/peer-envelope.js';
import { worldToWire } from '../protocol/world-message.js';
import { type WireRegister, type WorldMessage } from '../core/view-message.js';
import { SeededRandom } from '../simulation/seeded-random.js';

/** What the sender reports when done. */
export interface FloodSenderReport {
  mode: 'key' | 'nokey';
  seed: number;
  sent: number;
  sendErrors: number;
  byKind: Record<string, number>;
  seconds: number;
  rate: number;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    address: { type: 'string', default: '127.255.255.255' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'key' },
    seed: { type: 'string' },
    floors: { type: 'string', default: '4' },
  },
});
const port = Number(values.port);
const address = values.address;
if (!address.startsWith('127.')) throw new Error('the flood sender only sends on loopback');
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const mode = values.mode === 'nokey' ? 'nokey' : 'key';
const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31));
const floors = Number(values.floors);
const random = new SeededRandom(seed);
const enc = new TextEncoder();
const wrongKey = createHmacAuthenticator('this-is-not-the-shared-key');

const FAKE_IDS = Array.from({ length: 500 }, (_, i) => `fake${i}`);
const seqs = new Map<string, number>();
const byKind: Record<string, number> = {};

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = random.int(256);
  return out;
}

function register(): WireRegister {
  if (!random.chance(0.3)) return [];
  const origin = FAKE_IDS[random.int(FAKE_IDS.length)] ?? 'fake0';
  // A confirmed, unserved instance: a lit call, as far as the victim can tell.
  return [[origin, 7, 7, 0]];
}

function bogusBody(): WorldMessage {
  const owner = FAKE_IDS[random.int(FAKE_IDS.length)] ?? 'fake0';
  return {
    floors,
    hall: Array.from({ length: floors }, () => [register(), register()]),
    cab: { [owner]: Array.from({ length: floors }, register) },
    elevator: {
      behaviour: 'idle',
      floor: random.int(floors),
      direction: 'stop',
      available: true,
      motorFailed: false,
      obstructed: false,
      connected: true,
    },
    alive: [owner],
  };
}

function forged(signed: boolean): Uint8Array {
  const from = FAKE_IDS[random.int(FAKE_IDS.length)] ?? 'fake0';
  const seq = (seqs.get(from) ?? 0) + 1;
  seqs.set(from, seq);
  return encodeEnvelope(
    { from, incarnation: 1, seq, body: worldToWire(bogusBody()) },
    signed ? { auth: wrongKey } : {},
  );
}

function next(): [string, Uint8Array] {
  const r = random.next();
  if (r < 0.15) return ['garbage', randomBytes(1 + random.int(200))];
  if (r < 0.25)
    return ['json', enc.encode(JSON.stringify({ v: 1, from: 'x', junk: random.next() }))];
  if (r < 0.3) {
    const whole = forged(false);
    return ['truncated', whole.subarray(0, random.int(whole.length))];
  }
  if (mode === 'key')
    return random.chance(0.2) ? ['no-mac', forged(false)] : ['bad-mac', forged(true)];
  return ['forged', forged(false)];
}

// With a key nothing the sender makes can be accepted, so a pool made up front is replayed in a
// loop (keeping the sender's own CPU use low); without one, forged envelopes need fresh sequence
// numbers and are made as they go.
const pool: [string, Uint8Array][] = mode === 'key' ? Array.from({ length: 4000 }, next) : [];
let poolAt = 0;
function nextDatagram(): [string, Uint8Array] {
  if (pool.length === 0) return next();
  const item = pool[poolAt % pool.length] ?? next();
  poolAt += 1;
  return item;
}

const socket = dgram.createSocket('udp4');
let sent = 0;
let sendErrors = 0;
socket.on('error', () => (sendErrors += 1));
socket.bind(0, '127.0.0.1', () => {
  socket.setBroadcast(true);
  const started = performance.now();
  const total = Math.round(rate * seconds);
  // Every millisecond-ish, send what the schedule says is due, so the rate holds under jitter.
  const timer = setInterval(() => {
    const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * rate));
    while (sent < due) {
      const [kind, bytes] = nextDatagram();
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      sent += 1;
      socket.send(bytes, port, address, (err) => {
        if (err) sendErrors += 1;
      });
    }
    if (sent >= total) {
      clearInterval(timer);
      const report: FloodSenderReport = {
        mode,
        seed,
        sent,
        sendErrors,
        byKind,
        seconds: (performance.now() - started) / 1000,
        rate,
      };
      setTimeout(() => {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        socket.close();
      }, 50);
    }
  }, 1);
});
