import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { handleMetricsRequest, startMetricsServer } from './metrics-server.js';
import type { MetricsServer } from './metrics-server.js';

const started: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function start(render: () => string, onError?: (err: unknown) => void) {
  const server = await startMetricsServer({ port: 0, render, ...(onError ? { onError } : {}) });
  started.push(server);
  return server;
}

/** One raw HTTP request (no client-side keep-alive pool to hide server behaviour). */
function get(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('handleMetricsRequest', () => {
  it('routes without a socket', () => {
    const render = () => 'x 1\n';
    expect(handleMetricsRequest('GET', '/metrics?foo=1', render)).toMatchObject({
      status: 200,
      body: 'x 1\n',
    });
    expect(handleMetricsRequest('GET', '/', render).status).toBe(404);
    expect(handleMetricsRequest('DELETE', '/metrics', render)).toMatchObject({
      status: 405,
      headers: { allow: 'GET, HEAD' },
    });
    const errors: unknown[] = [];
    const failing = () => {
      throw new Error('boom');
    };
    expect(handleMetricsRequest('GET', '/metrics', failing, (e) => errors.push(e)).status).toBe(
      500,
    );
    expect(errors).toHaveLength(1);
  });
});

describe('startMetricsServer (real socket on 127.0.0.1)', () => {
  it('serves the current metrics at GET /metrics', async () => {
    let n = 0;
    const server = await start(() => `# TYPE hits counter\nhits ${++n}\n`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const first = await get(server.port, '/metrics');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(first.body).toBe('# TYPE hits counter\nhits 1\n');
    expect((await get(server.port, '/metrics')).body).toContain('hits 2');
  });

  it('answers HEAD without a body, and 404/405 otherwise', async () => {
    const server = await start(() => 'a 1\n');
    const head = await get(server.port, '/metrics', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe('4');
    expect((await get(server.port, '/nope')).status).toBe(404);
    expect((await get(server.port, '/metrics', 'POST')).status).toBe(405);
  });

  it('a failing render is a 500 and the server keeps serving', async () => {
    let fail = true;
    const errors: unknown[] = [];
    const server = await start(
      () => {
        if (fail) throw new Error('render failed');
        return 'ok 1\n';
      },
      (e) => errors.push(e),
    );
    expect((await get(server.port, '/metrics')).status).toBe(500);
    expect(errors).toHaveLength(1);
    fail = false;
    expect((await get(server.port, '/metrics')).body).toBe('ok 1\n');
  });

  it('stop closes the port even with a client mid-request; stop is idempotent', async () => {
    const server = await start(() => 'a 1\n');
    const res = await fetch(server.url);
    expect(await res.text()).toBe('a 1\n');
    // A slow client that never finishes its request headers would hold close() open for
    // minutes (node's requestTimeout); stop must cut it.
    const slow = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    slow.on('error', () => undefined);
    await server.stop();
    await server.stop();
    await closed;
    await expect(get(server.port, '/metrics')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects when the port is taken', async () => {
    const server = await start(() => '');
    await expect(startMetricsServer({ port: server.port, render: () => '' })).rejects.toMatchObject(
      { code: 'EADDRINUSE' },
    );
  });
});
