/**
 * Pure codec of the 4-byte elevator server protocol (see docs/elevator-protocol.md).
 *
 * Used on both sides: the TCP driver encodes commands and decodes replies, the simulator decodes
 * commands and encodes replies. Nothing here imports from `node:*`; frames are `Uint8Array`s
 * (a Node `Buffer` is one).
 *
 * Decoders never throw on bad input: they return a {@link FrameError} with a stable `code`, so a
 * server can log a bad frame and keep going. `encodeCommand` throws a `FrameError` instead, since
 * encoding an invalid command is a programming error in the caller, and sending it would hang the
 * reference simulator for good.
 */
import type { ButtonType, Direction } from '../core/types.js';
import { BUTTON_TYPES, buttonIndex } from '../core/types.js';

/** Every message, both ways, is exactly this many bytes. */
export const FRAME_SIZE = 4;

/** Protocol command codes (byte 0 of a frame). */
export const CMD = {
  reload: 0,
  motor: 1,
  buttonLamp: 2,
  floorIndicator: 3,
  doorLamp: 4,
  stopLamp: 5,
  readButton: 6,
  readFloor: 7,
  readStop: 8,
  readObstruction: 9,
} as const;

/** A request from a controller to the elevator server. */
export type ElevatorCommand =
  /** Simulator only: restart the car at a random position. Never send with the motor running. */
  | { type: 'reload' }
  | { type: 'motor'; dir: Direction }
  | { type: 'buttonLamp'; button: ButtonType; floor: number; on: boolean }
  | { type: 'floorIndicator'; floor: number }
  | { type: 'doorLamp'; on: boolean }
  | { type: 'stopLamp'; on: boolean }
  | { type: 'readButton'; button: ButtonType; floor: number }
  | { type: 'readFloor' }
  | { type: 'readStop' }
  | { type: 'readObstruction' };

/** The commands that get a reply. */
export type ElevatorReadCommand = Extract<
  ElevatorCommand,
  { type: 'readButton' | 'readFloor' | 'readStop' | 'readObstruction' }
>;

/** A reply of the elevator server to a read command; `type` names the command it answers. */
export type ElevatorReply =
  | { type: 'readButton'; pressed: boolean }
  /** `floor` is `null` between floors. */
  | { type: 'readFloor'; floor: number | null }
  | { type: 'readStop'; pressed: boolean }
  | { type: 'readObstruction'; active: boolean };

/** Stable codes of {@link FrameError}. */
export type FrameErrorCode =
  /** The frame is not exactly 4 bytes. */
  | 'frame-length'
  /** Byte 0 is not a known command (or, for a reply, not a read command). */
  | 'unknown-command'
  /** A floor argument is not an integer in 0..floors-1. */
  | 'floor-out-of-range'
  /** A button argument is not 0, 1 or 2. */
  | 'bad-button'
  /** A boolean argument is not 0 or 1, or another value is out of its range. */
  | 'bad-value';

/** A frame (or a command to encode) that breaks the protocol. Returned by decoders, thrown by `encodeCommand`. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    /** Stable machine-readable reason. */
    readonly code: FrameErrorCode,
    message: string,
    /** The offending bytes, when there were any. */
    readonly frame?: Uint8Array,
  ) {
    super(message);
  }
}

/** Whether `x` is a {@link FrameError} (for narrowing decoder results). */
export function isFrameError(x: unknown): x is FrameError {
  return x instanceof FrameError;
}

/** Whether a command gets a reply. */
export function isReadCommand(cmd: ElevatorCommand): cmd is ElevatorReadCommand {
  return (
    cmd.type === 'readButton' ||
    cmd.type === 'readFloor' ||
    cmd.type === 'readStop' ||
    cmd.type === 'readObstruction'
  );
}

/** Whether `button` exists at `floor` (no hall up at the top, no hall down at the bottom). */
export function buttonExists(button: ButtonType, floor: number, floors: number): boolean {
  if (button === 'hallUp') return floor < floors - 1;
  if (button === 'hallDown') return floor > 0;
  return true;
}

/**
 * Every input of an elevator of `floors` floors, read once, in a controller's poll order: each
 * existing button floor by floor, then the floor sensor, the stop button and the obstruction.
 */
export function pollCycleReads(floors: number): ElevatorReadCommand[] {
  const reads: ElevatorReadCommand[] = [];
  for (let floor = 0; floor < floors; floor++)
    for (const button of BUTTON_TYPES)
      if (buttonExists(button, floor, floors)) reads.push({ type: 'readButton', button, floor });
  reads.push({ type: 'readFloor' }, { type: 'readStop' }, { type: 'readObstruction' });
  return reads;
}

function hex(frame: Uint8Array): string {
  return Array.from(frame, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function checkFloor(
  floor: number,
  floors: number | undefined,
  what: string,
): FrameError | undefined {
  const max = floors === undefined ? 255 : floors - 1;
  if (!Number.isInteger(floor) || floor < 0 || floor > max) {
    return new FrameError('floor-out-of-range', `${what}: floor ${floor} out of range 0..${max}`);
  }
  return undefined;
}

/**
 * Checks a command's arguments: floors against `floors` when given (else only that they fit a
 * byte), buttons and directions against the protocol. Returns the first problem or `undefined`.
 */
export function validateCommand(cmd: ElevatorCommand, floors?: number): FrameError | undefined {
  switch (cmd.type) {
    case 'motor':
      return cmd.dir === 'up' || cmd.dir === 'down' || cmd.dir === 'stop'
        ? undefined
        : new FrameError('bad-value', `motor: unknown direction ${String(cmd.dir)}`);
    case 'buttonLamp':
    case 'readButton':
      if (!BUTTON_TYPES.includes(cmd.button)) {
        return new FrameError('bad-button', `${cmd.type}: unknown button ${String(cmd.button)}`);
      }
      return checkFloor(cmd.floor, floors, cmd.type);
    case 'floorIndicator':
      return checkFloor(cmd.floor, floors, cmd.type);
    default:
      return undefined;
  }
}

/**
 * Encodes a command as one 4-byte frame. Throws a {@link FrameError} if the command is invalid
 * (checked against `floors` when given), because the reference simulator hangs on bad arguments.
 */
export function encodeCommand(cmd: ElevatorCommand, floors?: number): Uint8Array {
  const problem = validateCommand(cmd, floors);
  if (problem) throw problem;
  switch (cmd.type) {
    case 'reload':
      return Uint8Array.of(CMD.reload, 0, 0, 0);
    case 'motor':
      return Uint8Array.of(CMD.motor, cmd.dir === 'up' ? 1 : cmd.dir === 'down' ? 255 : 0, 0, 0);
    case 'buttonLamp':
      return Uint8Array.of(CMD.buttonLamp, buttonIndex(cmd.button), cmd.floor, cmd.on ? 1 : 0);
    case 'floorIndicator':
      return Uint8Array.of(CMD.floorIndicator, cmd.floor, 0, 0);
    case 'doorLamp':
      return Uint8Array.of(CMD.doorLamp, cmd.on ? 1 : 0, 0, 0);
    case 'stopLamp':
      return Uint8Array.of(CMD.stopLamp, cmd.on ? 1 : 0, 0, 0);
    case 'readButton':
      return Uint8Array.of(CMD.readButton, buttonIndex(cmd.button), cmd.floor, 0);
    case 'readFloor':
      return Uint8Array.of(CMD.readFloor, 0, 0, 0);
    case 'readStop':
      return Uint8Array.of(CMD.readStop, 0, 0, 0);
    case 'readObstruction':
      return Uint8Array.of(CMD.readObstruction, 0, 0, 0);
  }
}

function bool(frame: Uint8Array, index: number, what: string): boolean | FrameError {
  const v = frame[index];
  if (v === 0) return false;
  if (v === 1) return true;
  return new FrameError(
    'bad-value',
    `${what}: value ${String(v)} is not 0 or 1 [${hex(frame)}]`,
    frame,
  );
}

function button(frame: Uint8Array, what: string): ButtonType | FrameError {
  const b = frame[1] ?? 255;
  const type = BUTTON_TYPES[b];
  return (
    type ?? new FrameError('bad-button', `${what}: button ${b} is not 0..2 [${hex(frame)}]`, frame)
  );
}

function floorArg(
  frame: Uint8Array,
  index: number,
  floors: number | undefined,
  what: string,
): number | FrameError {
  const f = frame[index] ?? 0;
  const err = checkFloor(f, floors, what);
  return err ? new FrameError(err.code, `${err.message} [${hex(frame)}]`, frame) : f;
}

/**
 * Decodes one 4-byte request frame, validating floors against `floors` when given. Unused bytes
 * are not checked (the protocol says they are 0; servers ignore them). Motor byte: 0 stop,
 * 1..127 up, 128..255 down.
 */
export function decodeCommand(frame: Uint8Array, floors?: number): ElevatorCommand | FrameError {
  if (frame.length !== FRAME_SIZE) {
    return new FrameError('frame-length', `frame of ${frame.length} bytes, expected 4`, frame);
  }
  const cmd = frame[0];
  switch (cmd) {
    case CMD.reload:
      return { type: 'reload' };
    case CMD.motor: {
      const d = frame[1] ?? 0;
      return { type: 'motor', dir: d === 0 ? 'stop' : d < 128 ? 'up' : 'down' };
    }
    case CMD.buttonLamp: {
      const b = button(frame, 'buttonLamp');
      if (isFrameError(b)) return b;
      const floor = floorArg(frame, 2, floors, 'buttonLamp');
      if (isFrameError(floor)) return floor;
      const on = bool(frame, 3, 'buttonLamp');
      if (isFrameError(on)) return on;
      return { type: 'buttonLamp', button: b, floor, on };
    }
    case CMD.floorIndicator: {
      const floor = floorArg(frame, 1, floors, 'floorIndicator');
      return isFrameError(floor) ? floor : { type: 'floorIndicator', floor };
    }
    case CMD.doorLamp: {
      const on = bool(frame, 1, 'doorLamp');
      return isFrameError(on) ? on : { type: 'doorLamp', on };
    }
    case CMD.stopLamp: {
      const on = bool(frame, 1, 'stopLamp');
      return isFrameError(on) ? on : { type: 'stopLamp', on };
    }
    case CMD.readButton: {
      const b = button(frame, 'readButton');
      if (isFrameError(b)) return b;
      const floor = floorArg(frame, 2, floors, 'readButton');
      return isFrameError(floor) ? floor : { type: 'readButton', button: b, floor };
    }
    case CMD.readFloor:
      return { type: 'readFloor' };
    case CMD.readStop:
      return { type: 'readStop' };
    case CMD.readObstruction:
      return { type: 'readObstruction' };
    default:
      return new FrameError(
        'unknown-command',
        `unknown command ${String(cmd)} [${hex(frame)}]`,
        frame,
      );
  }
}

/** Encodes the reply to a read command. Throws a {@link FrameError} on an invalid floor. */
export function encodeReply(reply: ElevatorReply): Uint8Array {
  switch (reply.type) {
    case 'readButton':
      return Uint8Array.of(CMD.readButton, reply.pressed ? 1 : 0, 0, 0);
    case 'readFloor': {
      if (reply.floor === null) return Uint8Array.of(CMD.readFloor, 0, 0, 0);
      const err = checkFloor(reply.floor, undefined, 'readFloor reply');
      if (err) throw err;
      return Uint8Array.of(CMD.readFloor, 1, reply.floor, 0);
    }
    case 'readStop':
      return Uint8Array.of(CMD.readStop, reply.pressed ? 1 : 0, 0, 0);
    case 'readObstruction':
      return Uint8Array.of(CMD.readObstruction, reply.active ? 1 : 0, 0, 0);
  }
}

/**
 * Decodes one 4-byte reply frame, validating a floor against `floors` when given. Flags are read
 * leniently (any non-zero is true) since servers differ in what they send for "pressed".
 */
export function decodeReply(frame: Uint8Array, floors?: number): ElevatorReply | FrameError {
  if (frame.length !== FRAME_SIZE) {
    return new FrameError('frame-length', `reply of ${frame.length} bytes, expected 4`, frame);
  }
  const flag = (frame[1] ?? 0) !== 0;
  switch (frame[0]) {
    case CMD.readButton:
      return { type: 'readButton', pressed: flag };
    case CMD.readFloor: {
      if (!flag) return { type: 'readFloor', floor: null };
      const floor = floorArg(frame, 2, floors, 'readFloor reply');
      return isFrameError(floor) ? floor : { type: 'readFloor', floor };
    }
    case CMD.readStop:
      return { type: 'readStop', pressed: flag };
    case CMD.readObstruction:
      return { type: 'readObstruction', active: flag };
    default:
      return new FrameError(
        'unknown-command',
        `reply to unknown command ${String(frame[0])} [${hex(frame)}]`,
        frame,
      );
  }
}

/**
 * Reassembles a TCP byte stream into whole frames: push each chunk as it arrives, get back the
 * complete frames it finished (in order); a partial frame is kept for the next chunk.
 */
export class FrameSplitter {
  private pending: Uint8Array = new Uint8Array(0);

  /** Appends a chunk and returns every complete frame now available. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data = chunk;
    if (this.pending.length > 0) {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending, 0);
      data.set(chunk, this.pending.length);
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    for (; offset + FRAME_SIZE <= data.length; offset += FRAME_SIZE) {
      frames.push(data.slice(offset, offset + FRAME_SIZE));
    }
    this.pending = data.slice(offset);
    return frames;
  }

  /** Bytes of an incomplete frame waiting for the rest. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Drops any partial frame (e.g. on reconnect). */
  reset(): void {
    this.pending = new Uint8Array(0);
  }
}
