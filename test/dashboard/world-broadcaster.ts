/**
 * A stand-in for the nodes in dashboard tests: broadcasts valid WorldMessage envelopes (each a
 * whole view in one slice) on a loopback broadcast address (127.255.255.255), as the nodes would,
 * so a monitor shows them.
 */
import { UdpPeerTransport } from '../../src/io/udp-peer-transport.js';
import type { MessageAuthenticator } from '../../src/protocol/peer-envelope.js';
import { encodeEnvelope } from '../../src/protocol/peer-envelope.js';
import { worldToWire } from '../../src/protocol/world-message.js';
import { type WorldMessage } from '../../src/core/view-message.js';

export const LOOPBACK_BROADCAST = '127.255.255.255';

/** Fake nodes sharing one sending socket. */
export class WorldBroadcaster {
  readonly transport: UdpPeerTransport;
  readonly #seq = new Map<string, number>();
  readonly #auth: MessageAuthenticator | undefined;
  readonly #timers = new Set<ReturnType<typeof setInterval>>();

  /** `peerPort` 0: an ephemeral port; read it from {@link port} and give it to the monitor. */
  constructor(peerPort = 0, auth?: MessageAuthenticator) {
    this.transport = new UdpPeerTransport({ peerPort, broadcastAddress: LOOPBACK_BROADCAST });
    this.#auth = auth;
  }

  get port(): number {
    return this.transport.port;
  }

  async start(): Promise<void> {
    await this.transport.start();
  }

  /** Broadcasts one message from node `from` (incarnation `inc`). */
  send(from: string, body: WorldMessage, inc = 1): void {
    const seq = (this.#seq.get(`${from}/${inc}`) ?? 0) + 1;
    this.#seq.set(`${from}/${inc}`, seq);
    this.transport.broadcast(
      encodeEnvelope(
        { from, incarnation: inc, seq, body: worldToWire(body) },
        { auth: this.#auth },
      ),
    );
  }

  /** Broadcasts `body()` from `from` every `periodMs` until stopped (as a node's heartbeat). */
  every(periodMs: number, from: string, body: () => WorldMessage, inc = 1): () => void {
    this.send(from, body(), inc);
    const timer = setInterval(() => this.send(from, body(), inc), periodMs);
    this.#timers.add(timer);
    return () => {
      clearInterval(timer);
      this.#timers.delete(timer);
    };
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    await this.transport.stop();
  }
}
