import dgram from 'node:dgram';
import http from 'node:http';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoControls } from '../../src/dashboard/demo-controls.js';
import { CONTROLLER_DEFAULTS } from '../../src/core/timings.js';
import { startMonitor, type Monitor } from '../../src/dashboard/monitor-server.js';
import type { MonitorSnapshot } from '../../src/dashboard/view-model.js';
import { ensureWebBuild } from '../../src/dashboard/web-build.js';
import { createHmacAuthenticator } from '../../src/io/hmac.js';
import { SseClient } from './sse-client.js';
import { world } from './world-builder.js';
import { LOOPBACK_BROADCAST, WorldBroadcaster } from './world-broadcaster.js';

let webRoot = '';
beforeAll(async () => {
  webRoot = await ensureWebBuild();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

async function setup(options: { demo?: DemoControls; key?: string; pushIntervalMs?: number } = {}) {
  const auth = options.key === undefined ? undefined : createHmacAuthenticator(options.key);
  const peers = new WorldBroadcaster(0, auth);
  await peers.start();
  cleanups.push(() => peers.stop());
  const monitor = await startMonitor({
    port: 0,
    peerPort: peers.port,
    broadcastAddress: LOOPBACK_BROADCAST,
    webRoot,
    ...options,
  });
  cleanups.push(() => monitor.close());
  return { peers, monitor };
}

async function stream(monitor: Monitor): Promise<SseClient> {
  const client = new SseClient();
  const res = await client.connect(`${monitor.url}api/stream`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/event-stream');
  cleanups.push(() => client.close());
  return client;
}

function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; path?: string } = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: init.path ?? u.pathname,
        method: init.method ?? 'GET',
        headers: init.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const alive = (s: MonitorSnapshot, id: string): boolean =>
  s.view.nodes.some((n) => n.id === id && n.status === 'alive');

describe('monitor server', () => {
  it('streams the whole view on connect and on change, live from the broadcasts', async () => {
    const { peers, monitor } = await setup();
    const client = await stream(monitor);
    // The first event comes at once, before anything was heard.
    const first = await client.waitFor<MonitorSnapshot>(() => true, 2000);
    expect(first.view.nodes).toEqual([]);
    expect(first.demo).toBeNull();
    expect(first.assigner).toBe('mesh+park');

    const stopA = peers.every(30, 'A', () => world({ elevator: { floor: 3 }, alive: ['A', 'B'] }));
    peers.every(30, 'B', () =>
      world({ elevator: { floor: 0 }, alive: ['A', 'B'], hall: { '3:down': 'confirmed' } }),
    );
    const both = await client.waitFor<MonitorSnapshot>(
      (s) => alive(s, 'A') && alive(s, 'B') && s.view.hall[3]?.[1]?.assignedTo === 'A',
    );
    expect(both.view.floors).toBe(4);
    expect(both.view.nodes.map((n) => n.sees)).toEqual([['B'], ['A']]);

    // A falls silent: after the nodes' own peer timeout (its last datagram came up to 30 ms
    // before), the page learns it is lost, and the call moves to B.
    const silentSince = performance.now();
    stopA();
    const lost = await client.waitFor<MonitorSnapshot>(
      (s) => s.view.nodes.find((n) => n.id === 'A')?.status === 'lost',
    );
    const tookMs = performance.now() - silentSince;
    expect(tookMs).toBeGreaterThan(CONTROLLER_DEFAULTS.peerTimeoutMs - 100);
    expect(tookMs).toBeLessThan(2500);
    expect(lost.view.hall[3]?.[1]?.assignedTo).toBe('B');
    expect(lost.view.log.map((e) => e.text)).toContain('Hall ↓ at floor 3 reassigned A → B');

    // The snapshot endpoint serves the same model.
    const snap = await request(`${monitor.url}api/snapshot`);
    expect(snap.status).toBe(200);
    expect((JSON.parse(snap.body) as MonitorSnapshot).view.nodes.map((n) => n.id)).toEqual([
      'A',
      'B',
    ]);
  });

  it('pushes at most about 10 times a second, and only on change', async () => {
    const { peers, monitor } = await setup();
    const client = await stream(monitor);
    let floor = 0;
    // A view that changes on (almost) every message, 200 times a second.
    const stop = peers.every(5, 'A', () => {
      floor = (floor + 1 + Math.floor(Math.random() * 48)) % 50;
      return world({ floors: 50, elevator: { floor } });
    });
    await client.waitFor<MonitorSnapshot>((s) => alive(s, 'A'));
    const from = client.events.length;
    await new Promise((r) => setTimeout(r, 1000));
    const pushes = client.events.length - from;
    console.log(`pushes in 1 s with 200 changes/s: ${pushes}`);
    expect(pushes).toBeLessThanOrEqual(12);
    expect(pushes).toBeGreaterThanOrEqual(3);

    // A steady view: nothing is pushed while nothing changes.
    stop();
    peers.every(5, 'A', () => world({ floors: 50, elevator: { floor: 1 } }));
    await client.waitFor<MonitorSnapshot>((s) => s.view.nodes[0]?.elevator.floor === 1);
    await new Promise((r) => setTimeout(r, 250));
    const quietFrom = client.events.length;
    await new Promise((r) => setTimeout(r, 500));
    // At most a refresh of the traffic counters, which change with every datagram.
    const quiet = client.events.slice(quietFrom).map((e) => JSON.parse(e.data) as MonitorSnapshot);
    expect(quiet.length).toBeLessThanOrEqual(1);
    for (const s of quiet) expect(s.view.nodes[0]?.elevator.floor).toBe(1);
  });

  it('never sends on the peer port', async () => {
    const send = vi.spyOn(dgram.Socket.prototype, 'send');
    const { peers, monitor } = await setup();
    peers.every(10, 'A', () => world());
    await vi.waitFor(
      () => expect(monitor.snapshot().view.traffic.accepted).toBeGreaterThanOrEqual(20),
      { timeout: 5000 },
    );
    // Every datagram sent in this process was the fake peer's.
    await vi.waitFor(() => expect(peers.transport.stats.sent).toBe(send.mock.calls.length));
    expect(monitor.transport.stats).toMatchObject({ sent: 0, sendErrors: 0 });
    expect(monitor.transport.stats.received).toBeGreaterThanOrEqual(20);
  });

  it('verifies MACs with the shared key and counts what it rejects', async () => {
    const key = 'a-shared-key-of-16+chars';
    const { peers, monitor } = await setup({ key });
    const unsigned = new WorldBroadcaster(peers.port);
    await unsigned.start();
    cleanups.push(() => unsigned.stop());
    const forger = new WorldBroadcaster(
      peers.port,
      createHmacAuthenticator('another-key-16-chars!'),
    );
    await forger.start();
    cleanups.push(() => forger.stop());
    const client = await stream(monitor);
    peers.every(20, 'A', () => world());
    unsigned.every(20, 'X', () => world());
    forger.every(20, 'Y', () => world());
    const s = await client.waitFor<MonitorSnapshot>(
      (v) =>
        alive(v, 'A') &&
        (v.view.traffic.rejected['missing-mac'] ?? 0) > 2 &&
        (v.view.traffic.rejected['bad-mac'] ?? 0) > 2,
    );
    expect(s.view.nodes.map((n) => n.id)).toEqual(['A']);
  });

  it('serves the built page and its assets, and nothing outside them', async () => {
    const { monitor } = await setup();
    const index = await request(monitor.url);
    expect(index.status).toBe(200);
    expect(index.type).toContain('text/html');
    expect(index.body).toContain('<div id="app">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const js = await request(`${monitor.url}${script ?? ''}`);
    expect(js.status).toBe(200);
    expect(js.type).toContain('text/javascript');
    expect((await request(`${monitor.url}nope.txt`)).status).toBe(404);
    const escape = await request(monitor.url, { path: '/..%2f..%2f..%2fpackage.json' });
    expect(escape.status).toBe(403);
    expect(escape.body).not.toContain('elevator-mesh');
    expect((await request(`${monitor.url}api/nope`)).status).toBe(404);
  });

  it('hides the demo API without a demo', async () => {
    const { monitor } = await setup();
    expect((await request(`${monitor.url}api/demo`)).status).toBe(404);
    const kill = await request(`${monitor.url}api/demo/A/kill`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(kill.status).toBe(404);
  });

  it("exposes the demo's controls", async () => {
    const calls: string[] = [];
    const demo: DemoControls = {
      simulators: [
        { id: 'A', controlUrl: 'http://127.0.0.1:1' },
        { id: 'B', controlUrl: 'http://127.0.0.1:2' },
      ],
      kill: (id) => Promise.resolve(void calls.push(`kill ${id}`)),
      restart: (id) => Promise.resolve(void calls.push(`restart ${id}`)),
      disconnect: (id) => Promise.reject(new Error(`cannot disconnect ${id}`)),
      reconnect: (id) => Promise.resolve(void calls.push(`reconnect ${id}`)),
    };
    const { monitor } = await setup({ demo });
    const listed = await request(`${monitor.url}api/demo`);
    expect(JSON.parse(listed.body)).toEqual({ simulators: demo.simulators });
    expect(monitor.snapshot().demo).toEqual({ simulators: demo.simulators });

    const post = (path: string, headers = { 'content-type': 'application/json' }) =>
      request(`${monitor.url}${path}`, { method: 'POST', headers, body: '{}' });
    expect((await post('api/demo/A/kill')).status).toBe(200);
    expect((await post('api/demo/B/restart')).status).toBe(200);
    expect((await post('api/demo/A/reconnect')).status).toBe(200);
    const failed = await post('api/demo/B/disconnect');
    expect(failed.status).toBe(500);
    expect(failed.body).toContain('cannot disconnect B');
    expect((await post('api/demo/Z/kill')).status).toBe(404);
    expect((await post('api/demo/A/explode')).status).toBe(404);
    // Without a JSON content type (a cross-site form could send that) nothing happens.
    expect((await post('api/demo/A/kill', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await request(`${monitor.url}api/demo/A/kill`)).status).toBe(405);
    expect(calls).toEqual(['kill A', 'restart B', 'reconnect A']);
    expect(monitor.snapshot().view.log.map((e) => e.text)).toEqual([
      'demo: kill A',
      'demo: restart B',
      'demo: reconnect A',
      'demo: disconnect B',
    ]);
  });
});
