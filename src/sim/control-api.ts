/**
 * The simulator's HTTP+JSON control API (plain node:http, 127.0.0.1 only), for tests, the
 * dashboard and the acceptance harness:
 *
 * - `GET /state`: the {@link SimState}.
 * - `POST /press` `{ "button": "hallUp" | "hallDown" | "cab", "floor": 1 }`: a momentary press.
 * - `POST /obstruction` `{ "on": true }`, `POST /motor-power` `{ "on": false }`,
 *   `POST /stop-button` `{ "pressed": true }`.
 * - `GET /events`: server-sent events, each `data: {"t", "change", "state"}` with `t` the
 *   simulator's monotonic clock in ms; the first event is the current state (`change.type`
 *   "initial").
 *
 * POSTs answer `{ "ok": true, "t": <ms>, "state": ... }`. Bad input: 400 `{ "error": "..." }`;
 * unknown path 404; wrong method 405. CORS is open (`*`) so a dashboard on another local port
 * can call it.
 *
 * {@link handleControlRequest} holds every route but `/events` and needs no socket, so it is
 * tested directly.
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ButtonType } from '../core/types.js';
import type { SimEvent, SimState } from './sim-elevator.js';
import { SimInputError } from './sim-elevator.js';

/**
 * What the control API needs from a simulator (`Simulator` in sim-server.ts has it all; the server
 * starts this API, so the API names what it uses rather than importing the server back).
 */
export interface ControlTarget {
  state(): SimState;
  /** A momentary press. Throws {@link SimInputError} for a button that does not exist. */
  press(button: ButtonType, floor: number): void;
  setObstruction(on: boolean): void;
  setMotorPower(on: boolean): void;
  setStopButton(pressed: boolean): void;
  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (event: SimEvent) => void): () => void;
  /** The simulator's clock (ms): the time base of events. */
  now(): number;
}

/** A response of {@link handleControlRequest}. */
export interface ControlResponse {
  status: number;
  body: unknown;
}

const pressBody = z.object({
  button: z.enum(['hallUp', 'hallDown', 'cab']),
  floor: z.number().int().min(0),
});
const onBody = z.object({ on: z.boolean() });
const pressedBody = z.object({ pressed: z.boolean() });

function describeZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

const bad = (error: string): ControlResponse => ({ status: 400, body: { error } });

/**
 * Handles one request (all routes except `GET /events`). `body` is the raw request body.
 * Never throws for bad input: it answers 400 with what is wrong.
 */
export function handleControlRequest(
  sim: ControlTarget,
  method: string,
  path: string,
  body: string,
): ControlResponse {
  const posts: Record<string, (json: unknown) => ControlResponse> = {
    '/press': (json) => {
      const p = pressBody.safeParse(json);
      if (!p.success) return bad(describeZodError(p.error));
      try {
        sim.press(p.data.button, p.data.floor);
      } catch (err) {
        if (err instanceof SimInputError) return bad(err.message);
        throw err;
      }
      return ok(sim);
    },
    '/obstruction': (json) => {
      const p = onBody.safeParse(json);
      if (!p.success) return bad(describeZodError(p.error));
      sim.setObstruction(p.data.on);
      return ok(sim);
    },
    '/motor-power': (json) => {
      const p = onBody.safeParse(json);
      if (!p.success) return bad(describeZodError(p.error));
      sim.setMotorPower(p.data.on);
      return ok(sim);
    },
    '/stop-button': (json) => {
      const p = pressedBody.safeParse(json);
      if (!p.success) return bad(describeZodError(p.error));
      sim.setStopButton(p.data.pressed);
      return ok(sim);
    },
  };
  if (path === '/state' || path === '/events') {
    if (method !== 'GET') return { status: 405, body: { error: `${path} accepts GET only` } };
    return { status: 200, body: sim.state() };
  }
  // Own keys only: a path such as `__proto__` or `toString` must not find Object.prototype.
  const post = Object.hasOwn(posts, path) ? posts[path] : undefined;
  if (!post) return { status: 404, body: { error: `no such path: ${path}` } };
  if (method !== 'POST') return { status: 405, body: { error: `${path} accepts POST only` } };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return bad('body is not valid JSON');
  }
  return post(json);
}

function ok(sim: ControlTarget): ControlResponse {
  const state: SimState = sim.state();
  return { status: 200, body: { ok: true, t: sim.now(), state } };
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

const MAX_BODY = 64 * 1024;

/** A running control server. */
export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the control API on 127.0.0.1:`port` (0 picks a free port). */
export async function startControlServer(
  sim: ControlTarget,
  opts: { port: number; logger: Logger },
): Promise<ControlServer> {
  const { logger: log } = opts;
  const streams = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    if (method === 'GET' && path === '/events') {
      res.writeHead(200, {
        ...CORS,
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      let id = 0;
      const send = (data: unknown): void => {
        if (res.writableEnded || res.destroyed) return;
        res.write(`id: ${id++}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      send({ t: sim.now(), change: { type: 'initial' }, state: sim.state() });
      const off = sim.onChange(send);
      streams.add(res);
      res.on('close', () => {
        off();
        streams.delete(res);
      });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const reply =
        size > MAX_BODY
          ? bad(`body larger than ${MAX_BODY} bytes`)
          : handleControlRequest(sim, method, path, Buffer.concat(chunks).toString('utf8'));
      if (reply.status >= 400) {
        log.warn(
          { method, path, status: reply.status, body: reply.body },
          'control request refused',
        );
      }
      res.writeHead(reply.status, { ...CORS, 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
