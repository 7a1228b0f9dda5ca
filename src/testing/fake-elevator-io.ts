/**
 * An in-memory {@link ElevatorIo} for node tests, with a control side that plays the elevator
 * server: press buttons, move the floor sensor, flip obstruction/stop, read the outputs the server
 * would show, and take the server away and back.
 *
 * It behaves like the TCP driver at the contract level (the shared compliance suite checks both):
 * same argument validation (same errors and codes), rising-edge button events, writes only on
 * change (counted in {@link FakeElevatorIo.writes}), `connection` events, and after a reconnect a
 * resync of every output followed by a report of floor, obstruction and stop button, and after
 * every motor command one more report of the floor sensor (in a microtask).
 *
 * Unlike the driver it is synchronous (but for that report): a control call delivers its events before it returns, which
 * keeps tests on virtual time deterministic. It has no car physics: the motor is only recorded.
 */
import { buttonIndex, type ButtonType, type Direction } from '../core/types.js';
import type { ElevatorInputEvent, ElevatorIo } from '../io/elevator-io.js';
import {
  ElevatorIoArgumentError,
  buttonExists,
  checkBoolean,
  checkButton,
  checkFloor,
} from '../io/elevator-io-validation.js';
import {
  ElevatorOutputState,
  applyOutput,
  copyOutputs,
  initialOutputs,
  type ElevatorOutputs,
  type OutputCommand,
} from '../io/elevator-output-state.js';

/** Options of a {@link FakeElevatorIo}. */
export interface FakeElevatorIoOptions {
  floors: number;
  /** Where the floor sensor starts: a floor, or `null` between floors (default 0). */
  initialFloor?: number | null;
  /** Whether the "server" is up when `start` is called (default true). */
  serverUp?: boolean;
}

/** The in-memory elevator. See the module comment. */
export class FakeElevatorIo implements ElevatorIo {
  readonly floors: number;
  readonly #outputs: ElevatorOutputState;
  readonly #listeners = new Set<(event: ElevatorInputEvent) => void>();
  readonly #writeListeners = new Set<(cmd: OutputCommand) => void>();
  /** What the server side shows: the outputs as written (reset when the server goes away). */
  #server: ElevatorOutputs;
  #writeLog: OutputCommand[] = [];
  #buttons: boolean[][];
  #floor: number | null;
  #obstruction = false;
  #stopButton = false;
  #serverUp: boolean;
  #started = false;
  #stopped = false;
  #connected = false;
  #floorReportQueued = false;

  constructor(options: FakeElevatorIoOptions) {
    this.#outputs = new ElevatorOutputState(options.floors);
    this.floors = this.#outputs.floors;
    this.#server = initialOutputs(this.floors);
    this.#buttons = Array.from({ length: this.floors }, () => [false, false, false]);
    const initial = options.initialFloor === undefined ? 0 : options.initialFloor;
    this.#floor = initial === null ? null : checkFloor(initial, this.floors);
    this.#serverUp = options.serverUp ?? true;
  }

  // --- ElevatorIo ---

  get connected(): boolean {
    return this.#connected;
  }

  start(): Promise<void> {
    if (!this.#started && !this.#stopped) {
      this.#started = true;
      if (this.#serverUp) this.#connect();
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      // Like the real server: the motor stops when its client goes away.
      this.#server.motor = 'stop';
      this.#setConnected(false);
    }
    return Promise.resolve();
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
    const wrapped = (event: ElevatorInputEvent): void => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  // --- control side (the "server") ---

  /** Number of write commands that reached the server (resyncs included). */
  get writes(): number {
    return this.#writeLog.length;
  }

  /** Every write command that reached the server, oldest first. */
  get writeLog(): readonly OutputCommand[] {
    return [...this.#writeLog];
  }

  /**
   * Calls `listener` with every write command as the server receives it (e.g. to move a simulated
   * car when the motor command changes). Returns the unsubscribe function.
   */
  onWrite(listener: (cmd: OutputCommand) => void): () => void {
    const wrapped = (cmd: OutputCommand): void => listener(cmd);
    this.#writeListeners.add(wrapped);
    return () => {
      this.#writeListeners.delete(wrapped);
    };
  }

  /** The outputs as the server shows them (lamps, indicator, motor). */
  serverOutputs(): ElevatorOutputs {
    return copyOutputs(this.#server);
  }

  /** The outputs the controller asked for (what a resync will write). */
  desiredOutputs(): ElevatorOutputs {
    return this.#outputs.snapshot();
  }

  /** The motor command as the server last received it. */
  get motor(): Direction {
    return this.#server.motor;
  }

  /** A momentary press: down and up again, so exactly one rising edge. */
  press(button: ButtonType, floor: number): void {
    this.setButton(button, floor, true);
    this.setButton(button, floor, false);
  }

  /** Holds or releases a button. A nonexistent button is a test bug and throws. */
  setButton(button: ButtonType, floor: number, pressed: boolean): void {
    this.flush();
    const b = checkButton(button);
    const f = checkFloor(floor, this.floors);
    checkBoolean(pressed, 'pressed');
    if (!buttonExists(b, f, this.floors)) {
      throw new ElevatorIoArgumentError('nonexistent-button', `no ${b} button at floor ${f}`);
    }
    const row = this.#buttons[f];
    if (!row) return;
    const was = row[buttonIndex(b)];
    row[buttonIndex(b)] = pressed;
    if (pressed && !was && this.#connected) this.#emit({ type: 'button', button: b, floor: f });
  }

  /** Moves the floor sensor: a floor, or `null` between floors. */
  setFloorSensor(floor: number | null): void {
    this.flush();
    const f = floor === null ? null : checkFloor(floor, this.floors);
    if (this.#floor === f) return;
    this.#floor = f;
    if (this.#connected) this.#emit({ type: 'floor', floor: f });
  }

  /** The floor sensor reading. */
  get floorSensor(): number | null {
    return this.#floor;
  }

  setObstruction(active: boolean): void {
    this.flush();
    checkBoolean(active, 'obstruction');
    if (this.#obstruction === active) return;
    this.#obstruction = active;
    if (this.#connected) this.#emit({ type: 'obstruction', active });
  }

  setStopButton(pressed: boolean): void {
    this.flush();
    checkBoolean(pressed, 'stop button');
    if (this.#stopButton === pressed) return;
    this.#stopButton = pressed;
    if (this.#connected) this.#emit({ type: 'stopButton', pressed });
  }

  /**
   * The server goes away (crash, cable pulled, hang): the controller sees `connection: false`, and
   * the server forgets every output, like a restarted simulator, so a missing resync shows.
   */
  dropServer(): void {
    this.#serverUp = false;
    this.#server = initialOutputs(this.floors);
    this.#setConnected(false);
  }

  /** The server is back: the controller reconnects (if started), resyncs and re-reports inputs. */
  restoreServer(): void {
    this.#serverUp = true;
    if (this.#started && !this.#stopped) this.#connect();
  }

  // --- internals ---

  #connect(): void {
    if (this.#connected) return;
    for (const cmd of this.#outputs.resync()) this.#write(cmd);
    this.#setConnected(true);
    // Same order of reports as the driver: held buttons, then floor, stop button, obstruction.
    for (let floor = 0; floor < this.floors; floor++) {
      const row = this.#buttons[floor] ?? [];
      (['hallUp', 'hallDown', 'cab'] as const).forEach((button) => {
        if (row[buttonIndex(button)]) this.#emit({ type: 'button', button, floor });
      });
    }
    this.#emit({ type: 'floor', floor: this.#floor });
    this.#emit({ type: 'stopButton', pressed: this.#stopButton });
    this.#emit({ type: 'obstruction', active: this.#obstruction });
  }

  #send(cmd: OutputCommand | null): void {
    if (cmd !== null && this.#connected) this.#write(cmd);
  }

  #write(cmd: OutputCommand): void {
    this.#writeLog.push(cmd);
    applyOutput(this.#server, cmd);
    for (const listener of [...this.#writeListeners]) listener(cmd);
    // Like the driver: after a motor command, the floor sensor once more (the connect reports it
    // anyway). Delivered after the current call returns, as a reply would come after the write.
    if (cmd.type === 'motor' && this.#connected && !this.#floorReportQueued) {
      this.#floorReportQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /**
   * Delivers the floor report queued after a motor command now, if it has not gone out yet (every
   * control call does this first, as the event loop would have delivered it by then; synchronous
   * tests call it where the loop would turn).
   */
  flush(): void {
    if (!this.#floorReportQueued) return;
    this.#floorReportQueued = false;
    if (this.#connected) this.#emit({ type: 'floor', floor: this.#floor });
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    this.#emit({ type: 'connection', connected });
  }

  /** Unlike the driver, a throwing listener is not caught: in a test it should fail loudly. */
  #emit(event: ElevatorInputEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
