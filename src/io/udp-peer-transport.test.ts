import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../protocol/peer-envelope.js';
import {
  describePeerTransportCompliance,
  type PeerTransportHarness,
} from '../testing/peer-transport-compliance.js';
import { UdpPeerTransport } from './udp-peer-transport.js';

// Loopback only: never the LAN broadcast address in tests.
const BROADCAST = '127.255.255.255';

/** Polls `condition` every few ms until it holds or `timeoutMs` passes. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Transports on one kernel-chosen port: a holder socket binds port 0 and stays open, so the
 * port stays ours (tests run in parallel) and a transport can be restarted on it.
 */
function udpHarness(): PeerTransportHarness {
  const made: UdpPeerTransport[] = [];
  return {
    maxDatagramBytes: DEFAULT_MAX_ENVELOPE_BYTES,
    async create(count) {
      const holder = new UdpPeerTransport({ peerPort: 0, broadcastAddress: BROADCAST });
      await holder.start();
      made.push(holder);
      const nodes: UdpPeerTransport[] = [];
      for (let i = 0; i < count; i++) {
        const node = new UdpPeerTransport({ peerPort: holder.port, broadcastAddress: BROADCAST });
        await node.start();
        made.push(node);
        nodes.push(node);
      }
      return nodes;
    },
    waitFor: (condition, what) => waitUntil(condition, what),
    async close() {
      await Promise.all(made.map((t) => t.stop()));
    },
  };
}

describePeerTransportCompliance('UDP broadcast on 127.255.255.255', udpHarness);

describe('UdpPeerTransport', () => {
  it('binds the loopback broadcast address itself by default when broadcasting on loopback', () => {
    expect(new UdpPeerTransport({ peerPort: 0, broadcastAddress: BROADCAST }).bindAddress).toBe(
      BROADCAST,
    );
    // Constructing does not open a socket, so the LAN defaults can be inspected safely.
    const lan = new UdpPeerTransport({ peerPort: 0 });
    expect(lan.broadcastAddress).toBe('255.255.255.255');
    expect(lan.bindAddress).toBe('0.0.0.0');
  });

  it('counts sent and received datagrams', async () => {
    const a = new UdpPeerTransport({ peerPort: 0, broadcastAddress: BROADCAST });
    await a.start();
    const b = new UdpPeerTransport({ peerPort: a.port, broadcastAddress: BROADCAST });
    await b.start();
    try {
      a.broadcast(new Uint8Array([1, 2, 3]));
      // Both sockets are bound to the port, so both (the sender included) receive it.
      await waitUntil(
        () => a.stats.sent === 1 && b.stats.received === 1 && a.stats.received === 1,
        'counters',
      );
      expect(a.stats.sendErrors).toBe(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('counts and swallows send errors: not started, and a datagram too big for UDP', async () => {
    const warnings: unknown[] = [];
    const { pino } = await import('pino');
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push(JSON.parse(line)) },
    );
    const t = new UdpPeerTransport({ peerPort: 0, broadcastAddress: BROADCAST, logger });
    expect(() => t.broadcast(new Uint8Array(10))).not.toThrow();
    expect(t.stats.sendErrors).toBe(1);
    await t.start();
    try {
      expect(() => t.broadcast(new Uint8Array(70_000))).not.toThrow(); // over 65,507: EMSGSIZE
      await waitUntil(() => t.stats.sendErrors === 2, 'the EMSGSIZE failure is counted');
      expect(t.stats.sent).toBe(0);
      expect(warnings).toHaveLength(2);
    } finally {
      await t.stop();
    }
    expect(() => t.broadcast(new Uint8Array(10))).not.toThrow();
    expect(t.stats.sendErrors).toBe(3);
  });

  it('rejects start() when the port cannot be bound, and an invalid port at construction', async () => {
    expect(() => new UdpPeerTransport({ peerPort: 70_000 })).toThrow(RangeError);
    // 127.0.0.2.. is loopback too, but 192.0.2.1 (TEST-NET) is not ours to bind.
    const t = new UdpPeerTransport({
      peerPort: 0,
      bindAddress: '192.0.2.1',
      broadcastAddress: BROADCAST,
    });
    await expect(t.start()).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(t.running).toBe(false);
  });
});
