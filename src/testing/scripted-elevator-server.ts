/**
 * A scripted elevator server for driver tests: a raw TCP server speaking the elevator protocol with
 * no car physics, whose inputs are set directly and whose every received frame is recorded. It can
 * misbehave on purpose: stop answering, split replies into single bytes, go away and come back on
 * the same port. Like the reference simulator it serves one client at a time and hangs for good
 * (stops answering, keeps the socket open) on a frame with an out-of-range argument.
 */
import net from 'node:net';
import { buttonIndex, type ButtonType } from '../core/types.js';
import {
  FrameSplitter,
  decodeCommand,
  encodeReply,
  isFrameError,
  type ElevatorCommand,
} from '../protocol/elevator-frames.js';
import {
  applyOutput,
  copyOutputs,
  initialOutputs,
  type ElevatorOutputs,
  type OutputCommand,
} from '../io/elevator-output-state.js';

/** Options of {@link startScriptedElevatorServer}. */
export interface ScriptedElevatorServerOptions {
  floors: number;
  /** Port to listen on (default 0: ephemeral). */
  port?: number;
  /** Initial floor sensor reading (default 0). */
  floor?: number | null;
}

/** How the server answers reads. */
export type ReplyMode =
  /** Every reply as one 4-byte write. */
  | 'normal'
  /** Every reply byte by byte, each in its own write, on later ticks (partial reads). */
  | 'bytewise'
  /** All replies to one incoming chunk collected into one write (pipelined replies arrive together). */
  | 'batched'
  /** Accepts and reads, never answers (a hung server). */
  | 'silent';

/** A running scripted server and its control handle. */
export interface ScriptedElevatorServer {
  readonly port: number;
  /** Outputs as written by the client since the server (re)started. */
  outputs(): ElevatorOutputs;
  /** Every frame received, decoded (writes and reads), since the server (re)started. */
  readonly received: ElevatorCommand[];
  /** Write commands received since the server (re)started. */
  writes(): OutputCommand[];
  /** Frames that broke the protocol (out-of-range argument, unknown command): the server hung. */
  readonly badFrames: Uint8Array[];
  /** Number of clients that have connected. */
  readonly connections: number;
  replyMode: ReplyMode;
  setButton(button: ButtonType, floor: number, pressed: boolean): void;
  /**
   * A momentary press: held until the client has read it pressed twice, then released, so the
   * client sees exactly one rising edge however its polls are timed.
   */
  press(button: ButtonType, floor: number): void;
  setFloor(floor: number | null): void;
  setObstruction(active: boolean): void;
  setStopButton(pressed: boolean): void;
  /** Closes the listener and every client socket (the server is gone; inputs are kept). */
  stop(): Promise<void>;
  /** Listens again on the same port with fresh outputs and logs (a restarted server). */
  restart(): Promise<void>;
  /** Forgets every output and the received log (as if the server had restarted). */
  resetOutputs(): void;
  /** Stops for good. */
  close(): Promise<void>;
}

/** Starts a {@link ScriptedElevatorServer} on 127.0.0.1. */
export async function startScriptedElevatorServer(
  options: ScriptedElevatorServerOptions,
): Promise<ScriptedElevatorServer> {
  const floors = options.floors;
  let outputs = initialOutputs(floors);
  const received: ElevatorCommand[] = [];
  const badFrames: Uint8Array[] = [];
  const buttons = Array.from({ length: floors }, () => [false, false, false]);
  /** Reads left before a momentary press releases, per `floor*3+button`. */
  const pressReads = new Map<number, number>();
  let floor = options.floor === undefined ? 0 : options.floor;
  let obstruction = false;
  let stopButton = false;
  let connections = 0;
  let replyMode: ReplyMode = 'normal';
  const sockets = new Set<net.Socket>();
  /** Clients in arrival order; only the first is served. */
  const queue: { socket: net.Socket; splitter: FrameSplitter; backlog: Buffer[] }[] = [];
  let hung = false;

  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    const client = { socket, splitter: new FrameSplitter(), backlog: [] as Buffer[] };
    queue.push(client);
    socket.on('data', (chunk: Buffer) => {
      if (queue[0] === client) serve(socket, client.splitter, chunk);
      else client.backlog.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      const wasServed = queue[0] === client;
      queue.splice(queue.indexOf(client), 1);
      if (wasServed) {
        // Like the real server: the motor stops when its client goes away.
        outputs.motor = 'stop';
        hung = false;
        const next = queue[0];
        if (next)
          for (const chunk of next.backlog.splice(0)) serve(next.socket, next.splitter, chunk);
      }
    });
  });

  function serve(socket: net.Socket, splitter: FrameSplitter, chunk: Buffer): void {
    const replies: Uint8Array[] = [];
    for (const frame of splitter.push(chunk)) {
      if (hung) return;
      const cmd = decodeCommand(frame, floors);
      if (isFrameError(cmd)) {
        badFrames.push(frame);
        hung = true;
        return;
      }
      received.push(cmd);
      switch (cmd.type) {
        case 'reload':
          break;
        case 'motor':
        case 'buttonLamp':
        case 'floorIndicator':
        case 'doorLamp':
        case 'stopLamp':
          applyOutput(outputs, cmd);
          break;
        case 'readButton': {
          const key = cmd.floor * 3 + buttonIndex(cmd.button);
          const pressed = buttons[cmd.floor]?.[buttonIndex(cmd.button)] ?? false;
          replies.push(encodeReply({ type: 'readButton', pressed }));
          const left = pressReads.get(key);
          if (pressed && left !== undefined) {
            if (left <= 1) {
              pressReads.delete(key);
              const row = buttons[cmd.floor];
              if (row) row[buttonIndex(cmd.button)] = false;
            } else pressReads.set(key, left - 1);
          }
          break;
        }
        case 'readFloor':
          replies.push(encodeReply({ type: 'readFloor', floor }));
          break;
        case 'readStop':
          replies.push(encodeReply({ type: 'readStop', pressed: stopButton }));
          break;
        case 'readObstruction':
          replies.push(encodeReply({ type: 'readObstruction', active: obstruction }));
          break;
      }
    }
    if (replies.length === 0) return;
    switch (replyMode) {
      case 'silent':
        return;
      case 'normal':
        for (const r of replies) socket.write(r);
        return;
      case 'batched':
        socket.write(Buffer.concat(replies));
        return;
      case 'bytewise': {
        const bytes = [...Buffer.concat(replies)];
        const next = (): void => {
          const b = bytes.shift();
          if (b === undefined || socket.destroyed) return;
          socket.write(Uint8Array.of(b));
          setImmediate(next);
        };
        next();
        return;
      }
    }
  }

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });

  const stopServer = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });

  const port = await listen(options.port ?? 0);

  return {
    port,
    outputs: () => copyOutputs(outputs),
    received,
    writes: () =>
      received.filter(
        (c): c is OutputCommand =>
          c.type === 'motor' ||
          c.type === 'buttonLamp' ||
          c.type === 'floorIndicator' ||
          c.type === 'doorLamp' ||
          c.type === 'stopLamp',
      ),
    badFrames,
    get connections() {
      return connections;
    },
    get replyMode() {
      return replyMode;
    },
    set replyMode(mode: ReplyMode) {
      replyMode = mode;
    },
    setButton(button, f, pressed) {
      const row = buttons[f];
      if (row) row[buttonIndex(button)] = pressed;
      if (!pressed) pressReads.delete(f * 3 + buttonIndex(button));
    },
    press(button, f) {
      const row = buttons[f];
      if (row) row[buttonIndex(button)] = true;
      pressReads.set(f * 3 + buttonIndex(button), 2);
    },
    setFloor(f) {
      floor = f;
    },
    setObstruction(active) {
      obstruction = active;
    },
    setStopButton(pressed) {
      stopButton = pressed;
    },
    stop: stopServer,
    async restart() {
      await stopServer();
      outputs = initialOutputs(floors);
      received.length = 0;
      badFrames.length = 0;
      hung = false;
      await listen(port);
    },
    resetOutputs() {
      outputs = initialOutputs(floors);
      received.length = 0;
    },
    close: stopServer,
  };
}
