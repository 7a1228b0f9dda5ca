/**
 * The TCP elevator driver: the client side of the elevator server protocol
 * (`docs/elevator-protocol.md`), implementing {@link ElevatorIo}.
 *
 * - Polls every input (pipelined reads, one cycle in flight at a time) and reports rising edges of
 *   buttons and changes of the floor sensor, obstruction and stop button. A cycle's requests are
 *   encoded once, at construction, into one buffer of whole 4-byte frames, written with one call
 *   (one syscall, one TCP segment) instead of one write per button; replies are parsed in place as
 *   they arrive, in request order (the protocol answers reads in order).
 * - Keeps the desired outputs and writes only on change; after every (re)connect it writes all of
 *   them again, because the server may have restarted and forgotten them.
 * - A reply that does not come within `replyTimeoutMs`, a reply that does not match its request, or
 *   a closed/refused socket means the server is lost: it reports `connection: false`, closes and
 *   reconnects with exponential back-off. I/O errors never throw out of the driver.
 * - The output commands of one turn of the event loop (everything one controller step decided:
 *   the door lamp and the lamp it clears, say) leave in one write of whole 4-byte frames, in the
 *   order given, before any later poll cycle: the server applies them together (it does not
 *   reassemble frames; whole frames back to back in one segment are fine), and the floor reading
 *   that follows a motor command is still one the server took after it had the command.
 * - After every motor command it writes (a change, a re-assert, the resync), it reports the floor
 *   sensor once more, changed or not, from the first cycle sent after the command: a reading that
 *   the server took after it had the command (TCP keeps the order). The state machine opens the
 *   door only on such a reading (src/core/elevator-fsm.ts).
 * - A starved process (a GC pause, a loaded machine, SIGSTOP) is not a dead server: the reply
 *   timeout counts only the time the driver's own poll timer was running, at most
 *   `maxStallStepMs` per poll. Replies that waited in the socket while the process was not
 *   scheduled are read before the timeout is judged again.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { buttonIndex, type ButtonType, type Direction } from '../core/types.js';
import type { ElevatorInputEvent, ElevatorIo } from './elevator-io.js';
import { ElevatorIoConfigError, checkFloorCount } from './elevator-io-validation.js';
import { ElevatorOutputState, type OutputCommand } from './elevator-output-state.js';
import { Heartbeat } from './heartbeat.js';
import {
  CMD,
  encodeCommand,
  pollCycleReads,
  type ElevatorReadCommand,
} from '../protocol/elevator-frames.js';
import { DEFAULT_PORTS } from '../core/ports.js';

/** Dependencies and tuning of a {@link TcpElevatorDriver}. */
export interface TcpElevatorDriverOptions {
  /** Number of floors of the elevator (2..255); every floor argument is checked against it. */
  floors: number;
  /** Elevator server host (default `127.0.0.1`). */
  host?: string;
  /** Elevator server port (default `DEFAULT_PORTS.elevatorServer`, 15657). */
  port?: number;
  /** How often a poll cycle starts, in ms (default 10). Keep it under 20: presses last 200 ms. */
  pollIntervalMs?: number;
  /**
   * The timer the poll runs on (default: one of its own, beating every `pollIntervalMs`). A node
   * passes the heartbeat its control loop and broadcast run on, so the process wakes once a beat.
   */
  heartbeat?: Heartbeat;
  /** A read not answered within this many ms means the server is lost (default 500). */
  replyTimeoutMs?: number;
  /**
   * The most that one gap between two polls counts towards the reply timeout, in ms (default 100):
   * a longer gap means this process was not running, not that the server was silent.
   */
  maxStallStepMs?: number;
  /** Monotonic clock in ms (default `performance.now`), for tests. */
  now?: () => number;
  /** A TCP connect not completed within this many ms is abandoned (default 1000). */
  connectTimeoutMs?: number;
  /** First reconnect delay in ms (default 100); doubles per failed attempt. */
  reconnectMinMs?: number;
  /** Longest reconnect delay in ms (default 2000). */
  reconnectMaxMs?: number;
  /** Logger (default: silent). */
  logger?: Logger;
  /** Aborting it stops the driver, like {@link TcpElevatorDriver.stop}. */
  signal?: AbortSignal;
  /** Socket factory, for tests that need to watch the socket (default `net.createConnection`). */
  connect?: (port: number, host: string) => net.Socket;
}

/** Counters of a driver, for tests and metrics. */
export interface TcpElevatorDriverStats {
  /** Write commands (motor, lamps, indicator) handed to the socket. */
  writes: number;
  /** Read requests handed to the socket. */
  reads: number;
  /** Complete poll cycles (every input read once). */
  pollCycles: number;
  /** Connections on which the server answered. */
  connections: number;
  /** Times the server was declared lost (including failed connection attempts). */
  losses: number;
  /** Losses because a reply did not come in time. */
  replyTimeouts: number;
}

const NO_BYTES = Buffer.alloc(0);

/** State of one TCP connection; a new one per attempt, so late events of an old socket are ignored. */
interface Link {
  socket: net.Socket;
  /** TCP handshake done: writes may go out. */
  open: boolean;
  /** The server has answered at least once on this link. */
  answered: boolean;
  /** The bytes of an incomplete reply frame (0-3), waiting for the rest. */
  rx: Buffer;
  /** A floor-out-of-range reply was logged on this link (logged once, not 100 times a second). */
  warnedFloor: boolean;
  /** Replies still due for the cycle in flight: the next one answers `cycle[cycle.length - due]`. */
  due: number;
  /** When the cycle in flight was sent, on the driver's running clock (see the module comment). */
  cycleSentAt: number;
  /** How many motor commands had been written when the cycle in flight was sent. */
  cycleMotorWrites: number;
  /** The motor-command count up to which a floor reading after the command has been reported. */
  floorReportedAfter: number;
  /** Output frames of this turn, not yet written (see `#flushOutputs`). */
  out: Uint8Array[];
  /** A flush of `out` is queued for the end of this turn. */
  flushQueued: boolean;
  /** Stops this link's poll job on the heartbeat (absent until the link opens). */
  stopPoll: (() => void) | undefined;
  connectTimer: NodeJS.Timeout | undefined;
  /** Input values last seen on this link; `undefined` = not read yet, so the first read reports. */
  floor: number | null | undefined;
  obstruction: boolean | undefined;
  stopButton: boolean | undefined;
  /** Button states last seen, `buttons[floor][index]`; all released at connect. */
  buttons: boolean[][];
}

/** The elevator driver over TCP. See the module comment. */
export class TcpElevatorDriver implements ElevatorIo {
  readonly floors: number;
  readonly #host: string;
  readonly #port: number;
  readonly #pollIntervalMs: number;
  readonly #heartbeat: Heartbeat;
  readonly #replyTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #reconnectMinMs: number;
  readonly #reconnectMaxMs: number;
  readonly #log: Logger;
  readonly #signal: AbortSignal | undefined;
  readonly #connect: (port: number, host: string) => net.Socket;
  readonly #realNow: () => number;
  readonly #maxStallStepMs: number;
  /** The running clock: real time, but a gap between two samples counts at most `maxStallStepMs`. */
  #running = 0;
  #lastReal: number | undefined;
  /** Motor commands written so far (over every link). */
  #motorWrites = 0;
  readonly #outputs: ElevatorOutputState;
  readonly #listeners = new Set<(event: ElevatorInputEvent) => void>();
  readonly #stats: TcpElevatorDriverStats = {
    writes: 0,
    reads: 0,
    pollCycles: 0,
    connections: 0,
    losses: 0,
    replyTimeouts: 0,
  };
  /** The reads of one poll cycle, in request order (nonexistent buttons left out). */
  readonly #cycle: ElevatorReadCommand[];
  /** The same reads encoded back to back, 4 bytes each (built once: validated, never re-encoded). */
  readonly #cycleFrames: Buffer;

  #started = false;
  #stopped = false;
  #connected = false;
  #link: Link | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #backoffMs: number;
  #firstAttempt: (() => void) | undefined;
  readonly #onAbort = (): void => void this.stop();

  constructor(options: TcpElevatorDriverOptions) {
    this.floors = checkFloorCount(options.floors);
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? DEFAULT_PORTS.elevatorServer;
    if (!Number.isInteger(this.#port) || this.#port < 0 || this.#port > 65535) {
      throw new ElevatorIoConfigError(`port must be an integer in 0..65535, got ${this.#port}`);
    }
    this.#pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 10);
    this.#heartbeat = options.heartbeat ?? new Heartbeat(this.#pollIntervalMs);
    this.#replyTimeoutMs = positive('replyTimeoutMs', options.replyTimeoutMs ?? 500);
    this.#connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 1000);
    this.#maxStallStepMs = positive('maxStallStepMs', options.maxStallStepMs ?? 100);
    this.#realNow = options.now ?? (() => performance.now());
    this.#reconnectMinMs = positive('reconnectMinMs', options.reconnectMinMs ?? 100);
    this.#reconnectMaxMs = positive('reconnectMaxMs', options.reconnectMaxMs ?? 2000);
    if (this.#reconnectMaxMs < this.#reconnectMinMs) {
      throw new ElevatorIoConfigError('reconnectMaxMs must be >= reconnectMinMs');
    }
    this.#backoffMs = this.#reconnectMinMs;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'elevator-driver',
    });
    this.#signal = options.signal;
    this.#connect = options.connect ?? ((port, host) => net.createConnection({ port, host }));
    this.#outputs = new ElevatorOutputState(this.floors);
    this.#cycle = pollCycleReads(this.floors);
    this.#cycleFrames = Buffer.concat(this.#cycle.map((r) => encodeCommand(r, this.floors)));
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** A copy of the counters. */
  get stats(): TcpElevatorDriverStats {
    return { ...this.#stats };
  }

  /**
   * Resolves once the first attempt has either reached an answering server or failed; later
   * attempts go on in the background. A stopped driver does not start again.
   */
  start(): Promise<void> {
    if (this.#started || this.#stopped) return Promise.resolve();
    this.#started = true;
    if (this.#signal?.aborted) {
      this.#stopped = true;
      return Promise.resolve();
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    const first = new Promise<void>((resolve) => {
      this.#firstAttempt = resolve;
    });
    this.#openLink();
    return first;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    clearTimeout(this.#reconnectTimer);
    this.#settleFirstAttempt();
    const link = this.#link;
    if (link) this.#flushOutputs(link); // what was decided before the stop still goes out
    this.#link = undefined;
    if (link) {
      this.#clearLinkTimers(link);
      await closeSocket(link.socket);
    }
    this.#setConnected(false);
    this.#log.info('stopped');
  }

  setMotor(dir: Direction): void {
    this.#send(this.#outputs.setMotor(dir));
  }

  reassertMotor(): void {
    this.#send(this.#outputs.motorCommand());
  }

  setButtonLamp(button: ButtonType, floor: number, on: boolean): void {
    this.#send(this.#outputs.setButtonLamp(button, floor, on));
  }

  setFloorIndicator(floor: number): void {
    this.#send(this.#outputs.setFloorIndicator(floor));
  }

  setDoorLamp(on: boolean): void {
    this.#send(this.#outputs.setDoorLamp(on));
  }

  setStopLamp(on: boolean): void {
    this.#send(this.#outputs.setStopLamp(on));
  }

  onEvent(listener: (event: ElevatorInputEvent) => void): () => void {
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const wrapped = (event: ElevatorInputEvent): void => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  // --- connection management ---

  #openLink(): void {
    if (this.#stopped) return;
    this.#log.debug({ host: this.#host, port: this.#port }, 'connecting');
    let socket: net.Socket;
    try {
      socket = this.#connect(this.#port, this.#host);
    } catch (err) {
      // A factory that throws synchronously is treated like a refused connection.
      this.#log.warn({ err }, 'connect failed');
      this.#stats.losses++;
      this.#scheduleReconnect();
      this.#settleFirstAttempt();
      return;
    }
    const link: Link = {
      socket,
      open: false,
      answered: false,
      rx: NO_BYTES,
      warnedFloor: false,
      due: 0,
      cycleSentAt: 0,
      cycleMotorWrites: 0,
      floorReportedAfter: -1,
      out: [],
      flushQueued: false,
      stopPoll: undefined,
      connectTimer: undefined,
      floor: undefined,
      obstruction: undefined,
      stopButton: undefined,
      buttons: Array.from({ length: this.floors }, () => [false, false, false]),
    };
    this.#link = link;
    socket.setNoDelay(true);
    this.#armConnectTimer(link, this.#connectTimeoutMs, 0);
    socket.on('connect', () => this.#onOpen(link));
    socket.on('data', (chunk: Buffer) => this.#onData(link, chunk));
    socket.on('error', (err) => this.#lose(link, `socket error: ${err.message}`));
    socket.on('close', () => this.#lose(link, 'socket closed'));
  }

  /**
   * The connect timeout, stall-aware: a timer that fires late counts its lateness only up to
   * `maxStallStepMs` and re-arms for what is left.
   */
  #armConnectTimer(link: Link, delayMs: number, countedMs: number): void {
    const armedAt = this.#realNow();
    link.connectTimer = setTimeout(() => {
      const late = Math.max(0, this.#realNow() - armedAt - delayMs);
      const counted = countedMs + delayMs + Math.min(late, this.#maxStallStepMs);
      const left = this.#connectTimeoutMs - counted;
      if (left > 0) this.#armConnectTimer(link, left, counted);
      else this.#lose(link, 'connect timeout');
    }, delayMs);
  }

  /** The running clock (see the module comment); every poll samples it. */
  #runningNow(): number {
    const real = this.#realNow();
    if (this.#lastReal !== undefined)
      this.#running += Math.min(Math.max(0, real - this.#lastReal), this.#maxStallStepMs);
    this.#lastReal = real;
    return this.#running;
  }

  #onOpen(link: Link): void {
    if (this.#link !== link) return;
    clearTimeout(link.connectTimer);
    link.open = true;
    this.#log.debug('tcp connected; resynchronising outputs');
    // The server may be fresh or restarted: bring every output in line with what we want.
    link.socket.cork();
    for (const cmd of this.#outputs.resync()) this.#writeOutput(link, cmd);
    this.#poll(link);
    link.socket.uncork();
    link.stopPoll = this.#heartbeat.every(this.#pollIntervalMs, () => this.#poll(link));
  }

  /** Declares `link` dead (once), reports the loss and schedules a reconnect. */
  #lose(link: Link, reason: string): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#clearLinkTimers(link);
    link.socket.destroy();
    this.#stats.losses++;
    if (this.#connected) this.#log.warn({ reason }, 'elevator server lost');
    else this.#log.debug({ reason }, 'connection attempt failed');
    this.#setConnected(false);
    this.#settleFirstAttempt();
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#reconnectMaxMs);
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#openLink(), delay);
  }

  #clearLinkTimers(link: Link): void {
    clearTimeout(link.connectTimer);
    link.stopPoll?.();
    link.stopPoll = undefined;
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    this.#emit({ type: 'connection', connected });
  }

  #settleFirstAttempt(): void {
    const resolve = this.#firstAttempt;
    this.#firstAttempt = undefined;
    resolve?.();
  }

  // --- writing ---

  #send(cmd: OutputCommand | null): void {
    // Validation already happened (and threw) in the output state; while disconnected the desired
    // state is only remembered and goes out with the resync after the reconnect.
    if (cmd === null) return;
    const link = this.#link;
    if (link?.open) this.#writeOutput(link, cmd);
  }

  #writeOutput(link: Link, cmd: OutputCommand): void {
    this.#stats.writes++;
    if (cmd.type === 'motor') this.#motorWrites++;
    link.out.push(encodeCommand(cmd, this.floors));
    if (!link.flushQueued) {
      link.flushQueued = true;
      queueMicrotask(() => this.#flushOutputs(link));
    }
  }

  /** Writes the outputs queued this turn, in order, as one buffer (nothing if the link is gone). */
  #flushOutputs(link: Link): void {
    link.flushQueued = false;
    const frames = link.out;
    if (frames.length === 0) return;
    link.out = [];
    if (this.#link !== link || link.socket.destroyed) return;
    link.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  // --- polling and reading ---

  #poll(link: Link): void {
    if (this.#link !== link) return;
    const now = this.#runningNow();
    if (link.due > 0) {
      if (now - link.cycleSentAt > this.#replyTimeoutMs) {
        this.#stats.replyTimeouts++;
        this.#lose(link, `no reply within ${this.#replyTimeoutMs} ms`);
      }
      // Still waiting for the previous cycle: do not pile up requests behind a slow server.
      return;
    }
    // Outputs first: a motor command counted below must reach the server before the cycle's reads.
    this.#flushOutputs(link);
    link.cycleSentAt = now;
    link.cycleMotorWrites = this.#motorWrites;
    link.due = this.#cycle.length;
    this.#stats.reads += this.#cycle.length;
    // Whole frames back to back in one write: on the wire the same bytes as one write each.
    link.socket.write(this.#cycleFrames);
  }

  #onData(link: Link, chunk: Buffer): void {
    if (this.#link !== link) return;
    // Replies may arrive split or several to a chunk: parse whole frames in place, keep the rest.
    const data = link.rx.length === 0 ? chunk : Buffer.concat([link.rx, chunk]);
    const whole = data.length - (data.length % 4);
    const cycle = this.#cycle;
    for (let at = 0; at < whole; at += 4) {
      if (this.#link !== link) return;
      if (link.due === 0) {
        this.#lose(link, `unexpected reply ${hex(data, at)} with no request outstanding`);
        return;
      }
      const request = cycle[cycle.length - link.due]!;
      link.due--;
      if (data[at] !== CMD[request.type]) {
        this.#lose(link, `reply ${hex(data, at)} does not answer ${request.type}`);
        return;
      }
      if (!link.answered) {
        link.answered = true;
        this.#stats.connections++;
        this.#backoffMs = this.#reconnectMinMs;
        this.#log.info({ host: this.#host, port: this.#port }, 'elevator server connected');
        this.#setConnected(true);
        this.#settleFirstAttempt();
        if (this.#link !== link) return;
      }
      this.#handleReply(link, request, data[at + 1] !== 0, data[at + 2]!);
      if (link.due === 0) this.#stats.pollCycles++;
    }
    // A copy: the partial frame must not pin the whole chunk.
    link.rx = whole === data.length ? NO_BYTES : Buffer.from(data.subarray(whole));
  }

  /** One reply: `flag` is byte 1 (pressed / active / at a floor; servers send any non-zero for
   * true), `arg` byte 2 (the floor of a floor reading). */
  #handleReply(link: Link, request: ElevatorReadCommand, flag: boolean, arg: number): void {
    switch (request.type) {
      case 'readButton': {
        const row = link.buttons[request.floor];
        const i = buttonIndex(request.button);
        if (!row) return;
        const was = row[i];
        row[i] = flag;
        if (flag && !was) {
          this.#emit({ type: 'button', button: request.button, floor: request.floor });
        }
        return;
      }
      case 'readFloor': {
        let floor = flag ? arg : null;
        if (floor !== null && floor >= this.floors) {
          // A server configured for more floors than we were: say so once and treat the reading
          // as "between floors" rather than passing an impossible floor on.
          if (!link.warnedFloor) {
            link.warnedFloor = true;
            this.#log.warn({ floor, floors: this.floors }, 'floor sensor reading out of range');
          }
          floor = null;
        }
        // The first reading of a cycle sent after the latest motor command is reported even if
        // unchanged.
        const afterMotor = link.cycleMotorWrites > link.floorReportedAfter;
        if (afterMotor) link.floorReportedAfter = link.cycleMotorWrites;
        if (link.floor !== floor || afterMotor) {
          link.floor = floor;
          this.#emit({ type: 'floor', floor });
        }
        return;
      }
      case 'readStop': {
        if (link.stopButton !== flag) {
          link.stopButton = flag;
          this.#emit({ type: 'stopButton', pressed: flag });
        }
        return;
      }
      case 'readObstruction': {
        if (link.obstruction !== flag) {
          link.obstruction = flag;
          this.#emit({ type: 'obstruction', active: flag });
        }
        return;
      }
    }
  }

  #emit(event: ElevatorInputEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        // A listener's bug must not take the I/O loop down with it.
        this.#log.error({ err, event }, 'event listener threw');
      }
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ElevatorIoConfigError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

function hex(data: Buffer, at: number): string {
  return data.toString('hex', at, at + 4);
}

/** Ends the socket gracefully (flushing queued writes), destroying it if that takes too long. */
function closeSocket(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), 200);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
