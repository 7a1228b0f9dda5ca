/**
 * What an acceptance run records, as a person at the lab would see it: the simulators' panels
 * (lamps), cars and doors over time, the buttons the harness pressed and the faults it injected.
 * All times are ms since the start of the run, on the harness's clock (each simulator's own
 * monotonic timestamps are mapped onto it by the observer). The checks and the report are pure
 * functions of a {@link RunRecord}.
 */
import type { ButtonType, Direction } from '../core/types.js';
import type { LossDirection, LossMode } from './netns-lab.js';
import type { FaultKind } from './scenario.js';

/** The visible state of one elevator (a subset of the simulator's `GET /state`). */
export interface Panel {
  /** Floor sensor: the floor the car is at, `null` between floors. */
  floor: number | null;
  lastFloor: number;
  motor: Direction;
  motorPower: boolean;
  door: boolean;
  /** `hall[floor] = [up, down]`. */
  hall: [boolean, boolean][];
  cab: boolean[];
  obstruction: boolean;
  /** A controller is connected to the simulator. */
  connected: boolean;
}

/** The state of one elevator from time `t` on. */
export interface Sample {
  t: number;
  elevator: string;
  panel: Panel;
}

/** A button the harness pressed on an elevator's panel. */
export interface Press {
  t: number;
  elevator: string;
  button: ButtonType;
  floor: number;
}

/** A fault the harness injected; `end` includes the recovery time the scenario allows. */
export interface FaultSpan {
  kind: FaultKind;
  /** An elevator id, or `all`. */
  target: string;
  start: number;
  /** When the fault itself was lifted (the same as `start` for an instant kill). */
  lifted: number;
  /** End of the window in which the checks excuse that elevator. */
  end: number;
  label: string;
  /**
   * The probe: a hall call the harness presses on another elevator's panel right after the fault
   * starts, one floor from the failed car, so there is a call the failed elevator would be the
   * natural choice for. Its service time is the fault's reassignment time.
   */
  probe?: Press;
  /** A loss fault's settings (for the peer-flapping arithmetic). */
  loss?: LossSettings;
}

/** The settings of a loss fault. */
export interface LossSettings {
  rate: number;
  direction: LossDirection;
  mode: LossMode;
}

/** One `peerLost` event in a node's log: `t` on the run's clock. */
export interface PeerLostEvent {
  t: number;
  elevator: string;
  peer: string;
}

/** The bounds the checks apply. */
export interface CheckBounds {
  doorOpenMs: number;
  /** Slack on timing comparisons (lamp writes travel over TCP; timers are not exact). */
  toleranceMs: number;
  /** A press must light its lamp within this (outside faults on that elevator). */
  lightBoundMs: number;
  /** Under no fault, hall lights on different panels may differ at most this long. */
  agreeBoundMs: number;
  /** Time after a fault ends before lights must agree again. */
  settleMs: number;
  /** Bound on takeover after a fault and on lights agreeing again after it. */
  recoveryMs: number;
  /** The nodes' peer timeout and broadcast interval (absent in runs recorded before them). */
  peerTimeoutMs?: number;
  broadcastIntervalMs?: number;
}

/** Everything one run recorded. */
export interface RunRecord {
  scenario: string;
  elevators: string[];
  floors: number;
  /** When traffic stopped. */
  trafficEnd: number;
  /** When observation stopped. */
  end: number;
  samples: Sample[];
  presses: Press[];
  faults: FaultSpan[];
  bounds: CheckBounds;
  /**
   * Every `peerLost` event the nodes logged (the one figure taken from inside the controllers;
   * absent in runs recorded before it).
   */
  peerLost?: PeerLostEvent[];
  /** What each host sent on its cable during the run (UDP over IPv4, before any loss). */
  sent?: Record<string, SentTraffic>;
}

/** One host's UDP traffic on its cable: datagrams, the frames they took, bytes on the wire. */
export interface SentTraffic {
  datagrams: number;
  frames: number;
  bytes: number;
}

/** A state with every lamp off, the car idle at a floor. */
export function idlePanel(floors: number, floor = 0): Panel {
  return {
    floor,
    lastFloor: floor,
    motor: 'stop',
    motorPower: true,
    door: false,
    hall: Array.from({ length: floors }, () => [false, false] as [boolean, boolean]),
    cab: Array.from({ length: floors }, () => false),
    obstruction: false,
    connected: true,
  };
}

/** Whether the lamp of `button` at `floor` is on in `panel`. */
export function lampOn(panel: Panel, button: ButtonType, floor: number): boolean {
  if (button === 'cab') return panel.cab[floor] ?? false;
  return panel.hall[floor]?.[button === 'hallUp' ? 0 : 1] ?? false;
}
