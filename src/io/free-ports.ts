/**
 * Ports nobody uses right now, for tests and drills that start real servers: bound to port 0 (the
 * kernel picks a free one), then released. Loopback only.
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** A free TCP port on `host` (default 127.0.0.1). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Whether TCP `port` on 127.0.0.1 can be listened on now. */
export function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A free UDP port on `host` (default 127.0.0.1). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', fail);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => done(port));
    });
  });
}
