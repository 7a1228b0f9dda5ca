/**
 * The monitor: listens to the peers' broadcasts and serves the live dashboard.
 *
 * It is read-only: it binds the peer port (SO_REUSEADDR, like every node) only to RECEIVE, never
 * sends on it, and needs no change to any node. HTTP (node:http, 127.0.0.1 by default):
 *
 * - `GET /` and the built web app's static files;
 * - `GET /api/stream`: server-sent events, `event: snapshot` with the whole {@link MonitorSnapshot}
 *   on connect and on every change (at most every `pushIntervalMs`, default 100 ms);
 * - `GET /api/snapshot`: the same snapshot as plain JSON;
 * - demo only: `GET /api/demo` (the simulators) and `POST /api/demo/:id/{kill,restart,disconnect,
 *   reconnect}`; without a demo they answer 404.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pino, type Logger } from 'pino';
import { DEFAULT_DISPATCH, createDispatch, isDispatchName } from '../core/assigner/index.js';
import { createHmacAuthenticator } from '../io/hmac.js';
import { DEFAULT_BROADCAST_ADDRESS, UdpPeerTransport } from '../io/udp-peer-transport.js';
import { ReplayTracker, decodeEnvelope } from '../protocol/peer-envelope.js';
import { viewSliceSchema } from '../protocol/world-message.js';
import { DEMO_ACTIONS, type DemoAction, type DemoControls } from './demo-controls.js';
import { SystemViewAggregator } from './system-view.js';
import type { MonitorSnapshot } from './view-model.js';
import { ensureWebBuild, webPaths } from './web-build.js';
import { DEFAULT_PORTS } from '../core/ports.js';

/** The monitor's default HTTP port. */
export const DEFAULT_MONITOR_PORT = DEFAULT_PORTS.monitor;
/** How often a change of the traffic counters alone is pushed. */
const TRAFFIC_PUSH_MS = 2000;
/** The peers' default UDP port. */
export const DEFAULT_PEER_PORT = DEFAULT_PORTS.peers;

/** Options of {@link startMonitor}. */
export interface MonitorOptions {
  /** HTTP address to listen on; default 127.0.0.1. */
  host?: string;
  /** HTTP port; default {@link DEFAULT_MONITOR_PORT}; 0 picks a free one. */
  port?: number;
  /** The peers' UDP port; default {@link DEFAULT_PEER_PORT}. */
  peerPort?: number;
  /** The peers' broadcast address; default 255.255.255.255 (tests and the demo: 127.255.255.255). */
  broadcastAddress?: string;
  /** The peers' shared key (to verify MACs); none by default. */
  key?: string | undefined;
  /** The demo's controls; the page shows them only when given. */
  demo?: DemoControls | undefined;
  /** Assigner used to show assignments (the nodes' one); default `reference`. */
  assigner?: string;
  /** A node silent this long is shown lost; default 1000 ms. */
  peerTimeoutMs?: number;
  /** Minimum time between two pushes to the page; default 100 ms. */
  pushIntervalMs?: number;
  /** Directory of the built web app; default: built (if stale) from `src/dashboard/web`. */
  webRoot?: string;
  logger?: Logger;
}

/** A running monitor. */
export interface Monitor {
  /** The page's address, e.g. `http://127.0.0.1:16580/`. */
  readonly url: string;
  readonly port: number;
  /** The listening peer transport (exposed so tests can check it never sends). */
  readonly transport: UdpPeerTransport;
  /** The current snapshot. */
  snapshot(): MonitorSnapshot;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

function defaultLogger(): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { component: 'monitor' } });
}

/** Starts the monitor: the peer listener and the HTTP server. */
export async function startMonitor(options: MonitorOptions = {}): Promise<Monitor> {
  const log = options.logger ?? defaultLogger();
  const host = options.host ?? '127.0.0.1';
  const assignerName = options.assigner ?? DEFAULT_DISPATCH;
  const pushIntervalMs = options.pushIntervalMs ?? 100;
  const demo = options.demo;
  const webRoot = options.webRoot ?? (await ensureWebBuild(webPaths()));

  const aggregator = new SystemViewAggregator({
    assign: createDispatch(assignerName).assign,
    // Show what the nodes decide: follow the strategy they announce.
    assignerFor: (name) => (isDispatchName(name) ? createDispatch(name).assign : undefined),
    ...(options.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: options.peerTimeoutMs }),
  });
  const auth =
    options.key === undefined || options.key === ''
      ? undefined
      : createHmacAuthenticator(options.key);
  const replay = new ReplayTracker();

  const snapshot = (): MonitorSnapshot => ({
    view: aggregator.view(),
    assigner: aggregator.dispatchName() ?? assignerName,
    demo: demo === undefined ? null : { simulators: demo.simulators.map((s) => ({ ...s })) },
  });

  const transport = new UdpPeerTransport({
    peerPort: options.peerPort ?? DEFAULT_PEER_PORT,
    broadcastAddress: options.broadcastAddress ?? DEFAULT_BROADCAST_ADDRESS,
    logger: log,
  });
  let loggedRejects = 0;
  transport.onDatagram((bytes) => {
    const result = decodeEnvelope(bytes, { bodySchema: viewSliceSchema, auth });
    if (!result.ok) {
      aggregator.rejected(result.code);
      // A wrong key or version rejects every datagram: log the first few, not all.
      if (loggedRejects++ < 5) log.warn({ code: result.code, from: result.from }, result.message);
      return;
    }
    const { from, incarnation, seq, body } = result.envelope;
    let verdict = replay.check(from, incarnation, seq);
    if (verdict === 'stale-incarnation' && !aggregator.isAlive(from)) {
      // A node that came back with a smaller incarnation (its clock stepped back): accept it, as
      // its peers do once they forgot the old run.
      replay.forget(from);
      verdict = replay.check(from, incarnation, seq);
    }
    if (verdict !== 'ok') {
      aggregator.rejected(verdict);
      return;
    }
    aggregator.ingest({ from, incarnation, body }, Date.now());
  });
  await transport.start();

  // Server-sent events: every client gets the snapshot on connect and on change.
  const clients = new Set<http.ServerResponse>();
  // The traffic counters change with every datagram: on their own they are pushed only now and
  // then, so a quiet system sends (almost) nothing.
  const withoutTraffic = (s: MonitorSnapshot): string =>
    JSON.stringify({ ...s, view: { ...s.view, traffic: null } });
  let current = snapshot();
  let lastJson = JSON.stringify(current);
  let lastKey = withoutTraffic(current);
  let lastPushAt = Date.now();
  const push = (json: string): void => {
    for (const res of clients) {
      if (!res.writableEnded && !res.destroyed) res.write(`event: snapshot\ndata: ${json}\n\n`);
    }
  };
  const timer = setInterval(() => {
    const now = Date.now();
    aggregator.tick(now);
    current = snapshot();
    const key = withoutTraffic(current);
    if (key === lastKey && now - lastPushAt < TRAFFIC_PUSH_MS) return;
    const json = JSON.stringify(current);
    if (json === lastJson) return;
    lastKey = key;
    lastJson = json;
    lastPushAt = now;
    push(json);
  }, pushIntervalMs);
  // A comment now and then keeps idle proxies and browsers from dropping the stream.
  const keepAlive = setInterval(() => {
    for (const res of clients) if (!res.writableEnded && !res.destroyed) res.write(': ping\n\n');
  }, 15_000);

  const sendJson = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const runDemoAction = async (id: string, action: DemoAction): Promise<void> => {
    if (demo === undefined) return;
    await demo[action](id);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/api/stream' && method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      // The browser's EventSource reconnects by itself after this many ms.
      res.write(`retry: 1000\nevent: snapshot\ndata: ${lastJson}\n\n`);
      clients.add(res);
      res.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/api/snapshot' && method === 'GET') {
      sendJson(res, 200, snapshot());
      return;
    }
    if (path === '/api/demo' && method === 'GET') {
      if (demo === undefined) sendJson(res, 404, { error: 'not running in the demo' });
      else sendJson(res, 200, { simulators: demo.simulators });
      return;
    }
    const demoMatch = /^\/api\/demo\/([^/]+)\/([a-z]+)$/.exec(path);
    if (demoMatch !== null) {
      const id = decodeURIComponent(demoMatch[1] ?? '');
      const action = demoMatch[2] ?? '';
      if (demo === undefined) return sendJson(res, 404, { error: 'not running in the demo' });
      if (method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
      // A JSON content type forces a CORS preflight, which we never allow: other sites' pages
      // cannot drive the demo through the visitor's browser.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendJson(res, 415, { error: 'send content-type: application/json' });
      }
      if (!(DEMO_ACTIONS as readonly string[]).includes(action)) {
        return sendJson(res, 404, { error: `no such action: ${action}` });
      }
      if (!demo.simulators.some((s) => s.id === id)) {
        return sendJson(res, 404, { error: `no such node: ${id}` });
      }
      req.resume();
      aggregator.note(Date.now(), `demo: ${action} ${id}`);
      log.info({ id, action }, 'demo action');
      runDemoAction(id, action as DemoAction).then(
        () => sendJson(res, 200, { ok: true }),
        (error: unknown) => {
          log.warn({ err: error, id, action }, 'demo action failed');
          sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
        },
      );
      return;
    }
    if (path.startsWith('/api/')) return sendJson(res, 404, { error: `no such path: ${path}` });
    if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'GET only' });
    serveStatic(webRoot, path, res);
  });

  const port = options.port ?? DEFAULT_MONITOR_PORT;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(timer);
    clearInterval(keepAlive);
    await transport.stop();
    throw error;
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${boundPort}/`;
  log.info(
    { url, peerPort: transport.port, broadcast: transport.broadcastAddress },
    'monitor started',
  );

  let closed = false;
  return {
    url,
    port: boundPort,
    transport,
    snapshot,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(keepAlive);
      for (const res of clients) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await transport.stop();
    },
  };
}

function serveStatic(root: string, urlPath: string, res: http.ServerResponse): void {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const full = normalize(join(root, relative));
  // Never serve anything outside the build output.
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  if (!existsSync(full) || !statSync(full).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const type = CONTENT_TYPES[extname(full)] ?? 'application/octet-stream';
  // Hashed assets can be cached forever; index.html must be fetched again on every load.
  const cache = relative.startsWith('/assets/')
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
  res.writeHead(200, { 'content-type': type, 'cache-control': cache });
  createReadStream(full).pipe(res);
}
