/**
 * The real peer transport: UDP broadcast on one port shared by every node.
 *
 * Several nodes on one host share the port thanks to SO_REUSEADDR (`reuseAddr: true`); the
 * kernel then hands every broadcast datagram to every socket bound to that port (a unicast one
 * would go to only one of them, which is why peers never unicast).
 *
 * Which bind address works (measured on Linux, Node 20, loopback 127.0.0.1/8, three sockets on
 * one port, each broadcasting once to 127.255.255.255):
 * - `0.0.0.0`: every socket receives all three datagrams (its own included);
 * - `127.255.255.255` (the broadcast address itself): the same, and the socket is reachable only
 *   through that broadcast address, not from other interfaces of the host;
 * - `127.0.0.1`: NOTHING is received, because a broadcast's destination is not the bound address.
 * So the default bind address is the broadcast address itself when that is a loopback address
 * (lab and tests: nothing exposed beyond loopback) and `0.0.0.0` otherwise (a real LAN, where
 * binding the limited broadcast address 255.255.255.255 is not portable).
 *
 * Without `setBroadcast(true)` a send to a broadcast address fails with EACCES.
 *
 * Receive buffer: with the kernel default (212,992 bytes here) a burst of 1,000 200-byte
 * datagrams delivered only 166 to each socket, and a burst of 60,000-byte datagrams only 3.
 * We ask for 4 MiB (Linux doubles it and caps it at `net.core.rmem_max`); with that, 5,000
 * small and 100 large datagrams in a burst all arrived.
 */
import dgram from 'node:dgram';
import { pino, type Logger } from 'pino';
import type { DatagramSource, PeerTransport } from './peer-transport.js';

/** The product default: the limited broadcast address of the local LAN. Never used in tests. */
export const DEFAULT_BROADCAST_ADDRESS = '255.255.255.255';
/** Requested socket receive buffer size (see the file comment for why). */
export const DEFAULT_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpPeerTransportOptions {
  /** The UDP port every peer binds and broadcasts to. 0 binds an ephemeral port (tests: the
   * first endpoint binds 0, the others then use its {@link UdpPeerTransport.port}). */
  peerPort: number;
  /** Where datagrams are sent. Default {@link DEFAULT_BROADCAST_ADDRESS}; use 127.255.255.255 on
   * one host. */
  broadcastAddress?: string;
  /** Address to bind; default the broadcast address if it is a loopback one, else 0.0.0.0. */
  bindAddress?: string;
  /** Socket receive buffer size in bytes; default {@link DEFAULT_RECV_BUFFER_BYTES}. */
  recvBufferBytes?: number;
  /** Logger; default silent. */
  logger?: Logger;
}

/** Counters of a {@link UdpPeerTransport}. */
export interface UdpPeerTransportStats {
  sent: number;
  received: number;
  sendErrors: number;
}

type Listener = (datagram: Uint8Array, source: DatagramSource) => void;

/** UDP broadcast implementation of {@link PeerTransport}. */
export class UdpPeerTransport implements PeerTransport {
  readonly stats: UdpPeerTransportStats = { sent: 0, received: 0, sendErrors: 0 };
  readonly broadcastAddress: string;
  readonly bindAddress: string;
  readonly #requestedPort: number;
  readonly #recvBufferBytes: number;
  readonly #log: Logger;
  readonly #listeners = new Set<Listener>();
  #socket: dgram.Socket | undefined;
  #port = 0;
  #lastSendErrorCode: string | undefined;

  constructor(options: UdpPeerTransportOptions) {
    if (!Number.isInteger(options.peerPort) || options.peerPort < 0 || options.peerPort > 65535) {
      throw new RangeError(`peerPort must be an integer 0..65535, got ${options.peerPort}`);
    }
    this.#requestedPort = options.peerPort;
    this.broadcastAddress = options.broadcastAddress ?? DEFAULT_BROADCAST_ADDRESS;
    this.bindAddress =
      options.bindAddress ??
      (this.broadcastAddress.startsWith('127.') ? this.broadcastAddress : '0.0.0.0');
    this.#recvBufferBytes = options.recvBufferBytes ?? DEFAULT_RECV_BUFFER_BYTES;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'udp-peer' });
  }

  /** The bound port once started (the requested one, or the ephemeral one chosen for 0). */
  get port(): number {
    return this.#port;
  }

  /** Whether the socket is bound. */
  get running(): boolean {
    return this.#socket !== undefined;
  }

  /** Binds the socket. Rejects if the port cannot be bound (bad configuration). */
  async start(): Promise<void> {
    if (this.#socket !== undefined) return;
    const socket = dgram.createSocket({
      type: 'udp4',
      reuseAddr: true,
      recvBufferSize: this.#recvBufferBytes,
    });
    await new Promise<void>((resolve, reject) => {
      const onBindError = (error: Error): void => reject(error);
      socket.once('error', onBindError);
      socket.bind(this.#requestedPort, this.bindAddress, () => {
        socket.off('error', onBindError);
        resolve();
      });
    }).catch((error: unknown) => {
      socket.close();
      throw error;
    });
    socket.setBroadcast(true);
    // After binding, socket errors (rare for UDP) are logged; an unhandled 'error' would crash.
    socket.on('error', (error) => {
      this.#log.warn({ err: error }, 'peer socket error');
    });
    socket.on('message', (message, remote) => {
      this.stats.received += 1;
      const source: DatagramSource = { address: remote.address, port: remote.port };
      // A plain Uint8Array view (no copy): Buffer's slice() and equality differ from Uint8Array's.
      const datagram = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      // A listener that throws is a bug: let it propagate (crash-only), do not hide it.
      for (const listener of [...this.#listeners]) listener(datagram, source);
    });
    this.#socket = socket;
    this.#port = socket.address().port;
    this.#log.info(
      { port: this.#port, bind: this.bindAddress, broadcast: this.broadcastAddress },
      'peer transport started',
    );
  }

  /** Closes the socket; no datagram is delivered afterwards. Idempotent. */
  async stop(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    socket.removeAllListeners('message');
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.#log.info({ port: this.#port }, 'peer transport stopped');
  }

  /** Broadcasts one datagram. A failure (not started, EMSGSIZE, no route...) is counted and
   * logged, never thrown: peers rebroadcast their state continuously, so one loss is harmless. */
  broadcast(datagram: Uint8Array): void {
    const socket = this.#socket;
    if (socket === undefined) {
      this.#sendFailed(new Error('peer transport not started'), datagram.length);
      return;
    }
    try {
      socket.send(datagram, this.#port, this.broadcastAddress, (error) => {
        if (error) this.#sendFailed(error, datagram.length);
        else this.stats.sent += 1;
      });
    } catch (error) {
      // dgram throws synchronously for some failures (e.g. a socket closed under us).
      this.#sendFailed(error, datagram.length);
    }
  }

  onDatagram(listener: Listener): () => void {
    // Wrap so that subscribing the same function twice yields two independent subscriptions.
    const entry: Listener = (datagram, source) => listener(datagram, source);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  #sendFailed(error: unknown, bytes: number): void {
    this.stats.sendErrors += 1;
    // A pulled cable fails every broadcast (tens per second): log a change of error, then
    // only every 100th repeat, so the log stays readable.
    const code = errorCode(error);
    if (code !== this.#lastSendErrorCode || this.stats.sendErrors % 100 === 0) {
      this.#lastSendErrorCode = code;
      this.#log.warn({ err: error, bytes, sendErrors: this.stats.sendErrors }, 'peer send failed');
    }
  }
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ?? error.message;
  }
  return String(error);
}
