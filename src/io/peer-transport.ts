/**
 * The peer transport contract: unreliable broadcast of datagrams to every peer (including nodes
 * on the same host). Implementations: `udp-peer-transport.ts` (real UDP broadcast) and
 * `src/simulation/lossy-bus.ts` (in-memory, seeded loss/duplication/reordering/disconnects).
 * Both pass `src/testing/peer-transport-compliance.ts`.
 */

/** Where a datagram came from, as the transport sees it (for logs and counters only). */
export interface DatagramSource {
  address: string;
  port: number;
}

export interface PeerTransport {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Broadcasts one datagram to all peers. Never throws for a send failure: it is counted and logged. */
  broadcast(datagram: Uint8Array): void;
  /** Subscribes to incoming datagrams (own datagrams may be delivered too). Returns unsubscribe. */
  onDatagram(listener: (datagram: Uint8Array, source: DatagramSource) => void): () => void;
}
