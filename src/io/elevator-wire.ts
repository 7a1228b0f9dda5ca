/**
 * Maps the driver's commands (already validated) to 4-byte elevator server frames.
 */
import { buttonIndex, type ButtonType } from '../core/types.js';
import type { OutputCommand } from './elevator-output-state.js';

/** One read command of the elevator server protocol, as data. */
export type ReadRequest =
  | { type: 'button'; button: ButtonType; floor: number }
  | { type: 'floorSensor' }
  | { type: 'stopButton' }
  | { type: 'obstruction' };

/** The 4-byte frame of a write command. */
export function encodeOutputFrame(cmd: OutputCommand): Uint8Array {
  switch (cmd.type) {
    case 'motor':
      return frame(1, cmd.dir === 'up' ? 1 : cmd.dir === 'down' ? 255 : 0);
    case 'buttonLamp':
      return frame(2, buttonIndex(cmd.button), cmd.floor, cmd.on ? 1 : 0);
    case 'floorIndicator':
      return frame(3, cmd.floor);
    case 'doorLamp':
      return frame(4, cmd.on ? 1 : 0);
    case 'stopLamp':
      return frame(5, cmd.on ? 1 : 0);
  }
}

/** The 4-byte frame of a read command. Its reply starts with the same command byte. */
export function encodeReadFrame(request: ReadRequest): Uint8Array {
  switch (request.type) {
    case 'button':
      return frame(6, buttonIndex(request.button), request.floor);
    case 'floorSensor':
      return frame(7);
    case 'stopButton':
      return frame(8);
    case 'obstruction':
      return frame(9);
  }
}

function frame(cmd: number, a = 0, b = 0, c = 0): Uint8Array {
  return Uint8Array.of(cmd, a, b, c);
}
