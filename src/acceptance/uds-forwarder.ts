/**
 * A tiny TCP forwarder from a Unix socket to `127.0.0.1:<port>`. The simulator's control API
 * listens on loopback inside its namespace, out of the harness's reach; Unix sockets live in the
 * file system, which namespaces share, so this forwarder (run inside the namespace) lets the
 * harness reach the API without any route into the lab.
 *
 * Run as a program: `uds-forwarder <socket-path> <port>`.
 */
import net from 'node:net';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Serves `socketPath`, piping each connection to `127.0.0.1:port`. */
export function startForwarder(socketPath: string, port: number): Promise<net.Server> {
  rmSync(socketPath, { force: true });
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    inbound.pipe(outbound).pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close);
    outbound.on('error', close);
    inbound.on('close', close);
    outbound.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [socketPath, port] = process.argv.slice(2);
  if (socketPath === undefined || !/^\d+$/.test(port ?? '')) {
    process.stderr.write('usage: uds-forwarder <socket-path> <port>\n');
    process.exit(2);
  }
  const server = await startForwarder(socketPath, Number(port));
  const stop = (): void => {
    server.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
