/**
 * The simulator's terminal view and keyboard, mirroring the reference simulator's keys:
 *
 * - hall up floors 0..7: `q w e r t y u i`; hall down floors 1..8: `s d f g h j k l`;
 *   cab floors 0..8: `z x c v b n m , .`. Lowercase is a momentary press (press-ms), uppercase
 *   (`<` and `>` for `,` and `.`) toggles the button held.
 * - `p` toggles the stop button, `-` toggles the obstruction, `o` toggles motor power (not `m`:
 *   that is the reference's cab key for floor 6).
 * - `7` / `8` / `9` force the motor down / stop / up; `0` brings an out-of-bounds car back.
 * - Ctrl-C exits (no letter is free for it: they are buttons).
 *
 * {@link keyAction} and {@link renderView} are pure and tested; {@link startTerminalView} wires
 * them to a TTY.
 */
import type { ButtonType, Direction } from '../core/types.js';
import { buttonExists } from '../protocol/elevator-frames.js';
import type { SimState } from './sim-elevator.js';
import type { Simulator } from './sim-server.js';

const HALL_UP_KEYS = 'qwertyui';
const HALL_DOWN_KEYS = 'sdfghjkl';
const CAB_KEYS = 'zxcvbnm,.';
const CAB_KEYS_SHIFTED = 'ZXCVBNM<>';

/** What a key does. */
export type KeyAction =
  | { type: 'press'; button: ButtonType; floor: number }
  | { type: 'toggleHeld'; button: ButtonType; floor: number }
  | { type: 'toggleStopButton' }
  | { type: 'toggleObstruction' }
  | { type: 'toggleMotorPower' }
  | { type: 'forceMotor'; dir: Direction }
  | { type: 'bringBack' }
  | { type: 'exit' };

/** Maps one key to its action for a building of `floors` floors (`undefined`: not a key of ours). */
export function keyAction(key: string, floors: number): KeyAction | undefined {
  const button = (b: ButtonType, floor: number, held: boolean): KeyAction | undefined => {
    if (floor < 0 || floor >= floors || !buttonExists(b, floor, floors)) return undefined;
    return held ? { type: 'toggleHeld', button: b, floor } : { type: 'press', button: b, floor };
  };
  const lower = key.toLowerCase();
  const held = key !== lower;
  if (key.length === 1 && HALL_UP_KEYS.includes(lower)) {
    return button('hallUp', HALL_UP_KEYS.indexOf(lower), held);
  }
  if (key.length === 1 && HALL_DOWN_KEYS.includes(lower)) {
    return button('hallDown', HALL_DOWN_KEYS.indexOf(lower) + 1, held);
  }
  if (key.length === 1 && CAB_KEYS.includes(key))
    return button('cab', CAB_KEYS.indexOf(key), false);
  if (key.length === 1 && CAB_KEYS_SHIFTED.includes(key)) {
    return button('cab', CAB_KEYS_SHIFTED.indexOf(key), true);
  }
  switch (key) {
    case 'p':
    case 'P':
      return { type: 'toggleStopButton' };
    case '-':
      return { type: 'toggleObstruction' };
    case 'o':
    case 'O':
      return { type: 'toggleMotorPower' };
    case '7':
      return { type: 'forceMotor', dir: 'down' };
    case '8':
      return { type: 'forceMotor', dir: 'stop' };
    case '9':
      return { type: 'forceMotor', dir: 'up' };
    case '0':
      return { type: 'bringBack' };
    case '\u0003':
      return { type: 'exit' };
    default:
      return undefined;
  }
}

/** Applies a key action to a simulator (everything but `exit`). */
export function applyKeyAction(sim: Simulator, action: KeyAction): void {
  const s = sim.state();
  switch (action.type) {
    case 'press':
      sim.press(action.button, action.floor);
      return;
    case 'toggleHeld':
      sim.setButtonHeld(
        action.button,
        action.floor,
        !sim.isButtonHeld(action.button, action.floor),
      );
      return;
    case 'toggleStopButton':
      sim.setStopButton(!s.stopButton);
      return;
    case 'toggleObstruction':
      sim.setObstruction(!s.obstruction);
      return;
    case 'toggleMotorPower':
      sim.setMotorPower(!s.car.motorPower);
      return;
    case 'forceMotor':
      sim.forceMotor(action.dir);
      return;
    case 'bringBack':
      sim.bringBack();
      return;
    case 'exit':
      return;
  }
}

/** Everything the view shows besides the {@link SimState}. */
export interface ViewExtras {
  /** Car position: a floor, or half-way between floors (out of bounds: half a floor beyond). */
  position: number;
  /** `pressed[floor][button]`: what a protocol read returns now. */
  pressed: boolean[][];
  /** `held[floor][button]`: toggled-held buttons. */
  held: boolean[][];
  port: number;
  controlPort?: number | undefined;
  /** Recent log messages, newest last. */
  log: readonly string[];
}

const lamp = (on: boolean): string => (on ? '●' : '○');

/** Renders the whole screen as lines (no escape codes beyond plain text). */
export function renderView(state: SimState, x: ViewExtras): string[] {
  const { floors, car, lamps } = state;
  const lines: string[] = [];
  const control = x.controlPort === undefined ? 'none' : `127.0.0.1:${x.controlPort}`;
  lines.push(
    `elevator-mesh sim   tcp :${x.port}   control API: ${control}   controller: ${
      state.clientConnected ? 'CONNECTED' : 'not connected'
    }`,
  );
  lines.push('');
  lines.push('floor  up  dn   cab  shaft  ind');
  const cell = (b: ButtonType, f: number, i: number): string => {
    if (!buttonExists(b, f, floors)) return '   ';
    const on = b === 'cab' ? (lamps.cab[f] ?? false) : (lamps.hall[f]?.[i] ?? false);
    const mark = x.held[f]?.[i] ? 'H' : x.pressed[f]?.[i] ? '*' : ' ';
    return `${lamp(on)}${mark} `;
  };
  const carCell = car.outOfBounds ? '[!]' : '[#]';
  const shaft = (pos: number): string => (x.position === pos ? `|${carCell}|` : '|   |');
  if (x.position > floors - 1) lines.push(`${' '.repeat(21)}${shaft(x.position)}  out of bounds`);
  for (let f = floors - 1; f >= 0; f--) {
    const sensor = car.floor === f ? '<' : ' ';
    lines.push(
      `${String(f).padStart(3)}    ${cell('hallUp', f, 0)} ${cell('hallDown', f, 1)}  ${cell('cab', f, 2)}  ${shaft(f)}${sensor}  ${lamps.floorIndicator === f ? '■' : '·'}`,
    );
    if (f > 0) lines.push(`${' '.repeat(21)}${shaft(f - 0.5)}`);
  }
  if (x.position < 0) lines.push(`${' '.repeat(21)}${shaft(x.position)}  out of bounds`);
  lines.push('');
  lines.push(
    `motor: ${car.motor.padEnd(4)}  power: ${car.motorPower ? 'on ' : 'OFF'}  sensor: ${
      car.floor === null ? 'between' : String(car.floor)
    }  last floor: ${car.lastFloor}${car.outOfBounds ? '  OUT OF BOUNDS (0 brings it back)' : ''}`,
  );
  lines.push(
    `door lamp: ${lamp(lamps.door)}  stop lamp: ${lamp(lamps.stop)}  obstruction: ${
      state.obstruction ? 'ON ' : 'off'
    }  stop button: ${state.stopButton ? 'PRESSED' : 'off'}`,
  );
  lines.push('');
  lines.push('keys: hall up qwertyui (floors 0..), hall down sdfghjkl (1..), cab zxcvbnm,. (0..)');
  lines.push('      lowercase press, uppercase hold/release; p stop button; - obstruction;');
  lines.push('      o motor power; 7/8/9 motor down/stop/up; 0 bring back; Ctrl-C quit');
  lines.push('      (* pressed, H held, < floor sensor)');
  if (x.log.length > 0) {
    lines.push('');
    for (const l of x.log) lines.push(l);
  }
  return lines;
}

/** What {@link startTerminalView} needs of a terminal. */
export interface ViewTerminal {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/** A running view. */
export interface TerminalView {
  /** Restores the terminal. */
  stop(): void;
}

/**
 * Takes over the terminal (alternate screen, raw keys) and redraws on every change, and every
 * 50 ms while a momentary press may be expiring. `onExit` is called for Ctrl-C.
 */
export function startTerminalView(
  sim: Simulator,
  term: ViewTerminal,
  opts: { onExit: () => void; log: () => readonly string[] },
): TerminalView {
  const { input, output } = term;
  let last = '';
  const draw = (): void => {
    const floors = sim.floors;
    const grid = (f: (b: ButtonType, floor: number) => boolean): boolean[][] =>
      Array.from({ length: floors }, (_, floor) =>
        (['hallUp', 'hallDown', 'cab'] as const).map((b) => f(b, floor)),
      );
    const screen = renderView(sim.state(), {
      position: sim.carPosition(),
      pressed: grid((b, f) => sim.isButtonPressed(b, f)),
      held: grid((b, f) => sim.isButtonHeld(b, f)),
      port: sim.port,
      controlPort: sim.controlPort,
      log: opts.log(),
    }).join('\x1b[K\n');
    if (screen === last) return;
    last = screen;
    output.write(`\x1b[H${screen}\x1b[K\x1b[J`);
  };
  output.write('\x1b[?1049h\x1b[?25l\x1b[H\x1b[J');
  const off = sim.onChange(() => draw());
  const interval = setInterval(draw, 50);
  const onKey = (data: Buffer): void => {
    for (const key of data.toString('utf8')) {
      const action = keyAction(key, sim.floors);
      if (!action) continue;
      if (action.type === 'exit') {
        opts.onExit();
        return;
      }
      applyKeyAction(sim, action);
    }
    draw();
  };
  // A resized terminal may have scrolled or wrapped the old screen: clear and draw it all again.
  const onResize = (): void => {
    last = '';
    output.write('\x1b[H\x1b[J');
    draw();
  };
  output.on('resize', onResize);
  input.setRawMode(true);
  input.resume();
  input.on('data', onKey);
  draw();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      off();
      clearInterval(interval);
      input.off('data', onKey);
      output.off('resize', onResize);
      input.setRawMode(false);
      input.pause();
      output.write('\x1b[?25h\x1b[?1049l');
    },
  };
}
