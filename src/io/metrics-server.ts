/**
 * Serves Prometheus metrics: `GET /metrics` on 127.0.0.1:<port> (node:http). Loopback only on
 * purpose: metrics reveal the building's traffic; a scraper elsewhere goes through a proxy.
 * The routing is a plain function ({@link handleMetricsRequest}) testable without a socket.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Content type of the Prometheus text format 0.0.4. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A response as data. */
export interface MetricsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Routes one request: `GET`/`HEAD /metrics` (query string ignored) renders; other paths 404;
 * other methods 405. A throwing `render` is a 500 and is reported to `onError`.
 */
export function handleMetricsRequest(
  method: string | undefined,
  url: string | undefined,
  render: () => string,
  onError?: (err: unknown) => void,
): MetricsResponse {
  const path = (url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\n' };
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return {
      status: 405,
      headers: { 'content-type': 'text/plain', allow: 'GET, HEAD' },
      body: 'method not allowed\n',
    };
  }
  try {
    const body = render();
    return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body };
  } catch (err) {
    onError?.(err);
    return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error\n' };
  }
}

export interface MetricsServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one (see {@link MetricsServer.port}). */
  readonly port: number;
  /** Renders the current metrics (e.g. `registry.render.bind(registry)`). */
  readonly render: () => string;
  /** Defaults to 127.0.0.1; must be a loopback address in tests. */
  readonly host?: string;
  /** Called when `render` throws (the scrape gets a 500; the node keeps running). */
  readonly onError?: (err: unknown) => void;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The bound port (the real one when started with port 0). */
  readonly port: number;
  /** e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops listening and closes open connections. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the metrics endpoint; rejects if the port cannot be bound (e.g. EADDRINUSE). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const response = handleMetricsRequest(req.method, req.url, options.render, options.onError);
    const body = req.method === 'HEAD' ? '' : response.body;
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `http://${host}:${port}/metrics`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections from a scraper would otherwise hold close() open.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
