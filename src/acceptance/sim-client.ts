/**
 * The harness's client of one simulator's control API, over the Unix socket of its forwarder:
 * presses, obstruction and motor power, `GET /state`, and the `GET /events` stream. Replies are
 * untrusted and parsed with zod.
 */
import http from 'node:http';
import { z } from 'zod';
import type { ButtonType } from '../core/types.js';

const direction = z.enum(['up', 'down', 'stop']);
const simState = z.object({
  floors: z.number(),
  car: z.object({
    floor: z.number().nullable(),
    lastFloor: z.number(),
    motor: direction,
    motorPower: z.boolean(),
    outOfBounds: z.boolean(),
  }),
  lamps: z.object({
    hall: z.array(z.tuple([z.boolean(), z.boolean()])),
    cab: z.array(z.boolean()),
    door: z.boolean(),
    stop: z.boolean(),
    floorIndicator: z.number(),
  }),
  obstruction: z.boolean(),
  stopButton: z.boolean(),
  clientConnected: z.boolean(),
});
/** The simulator's state, as parsed from its API. */
export type RemoteSimState = z.infer<typeof simState>;

const postReply = z.object({ ok: z.literal(true), t: z.number(), state: simState });
const eventMessage = z.object({
  t: z.number(),
  change: z.object({ type: z.string() }),
  state: simState,
});
export type RemoteSimEvent = z.infer<typeof eventMessage>;

/** A control API request that failed. */
export class SimClientError extends Error {
  override readonly name = 'SimClientError';
  readonly code = 'sim-request-failed' as const;
}

/** Client of one simulator (see module comment). */
export class SimClient {
  constructor(readonly socketPath: string) {}

  private request(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 5000,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          socketPath: this.socketPath,
          path,
          method,
          headers: payload === undefined ? {} : { 'content-type': 'application/json' },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 400) {
              reject(new SimClientError(`${method} ${path}: ${res.statusCode} ${text}`));
              return;
            }
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new SimClientError(`${method} ${path}: reply is not JSON`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new SimClientError(`${method} ${path}: timed out`)));
      req.on('error', (err) =>
        reject(
          err instanceof SimClientError
            ? err
            : new SimClientError(`${method} ${path}: ${err.message}`),
        ),
      );
      req.end(payload);
    });
  }

  async state(): Promise<RemoteSimState> {
    return simState.parse(await this.request('GET', '/state', undefined, 2000));
  }

  /** Presses a button; resolves with the simulator's timestamp of the press. */
  async press(button: ButtonType, floor: number): Promise<number> {
    return postReply.parse(await this.request('POST', '/press', { button, floor })).t;
  }

  async setObstruction(on: boolean): Promise<number> {
    return postReply.parse(await this.request('POST', '/obstruction', { on })).t;
  }

  async setMotorPower(on: boolean): Promise<number> {
    return postReply.parse(await this.request('POST', '/motor-power', { on })).t;
  }

  /**
   * Follows `GET /events`, calling `onEvent` with each event and the harness's clock when it
   * arrived. Returns a function that closes the stream. `onEnd` is called if the stream ends or
   * fails before it is closed.
   */
  events(
    onEvent: (e: RemoteSimEvent, receivedAt: number) => void,
    onEnd: (err: Error | undefined) => void,
  ): () => void {
    let closed = false;
    const req = http.get({ socketPath: this.socketPath, path: '/events' }, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const receivedAt = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (!data) continue;
          const parsed = eventMessage.safeParse(JSON.parse(data));
          if (parsed.success) onEvent(parsed.data, receivedAt);
        }
      });
      res.on('end', () => {
        if (!closed) onEnd(undefined);
      });
    });
    req.on('error', (err) => {
      if (!closed) onEnd(err);
    });
    return () => {
      closed = true;
      req.destroy();
    };
  }
}
