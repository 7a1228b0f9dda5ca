/**
 * What goes into the controller's single step (`Controller.handle`) and what comes out of it: the
 * events, the effects (data the node's shell or a simulation executes) and the log entries.
 */
import type { ElevatorEffect } from './elevator-fsm.js';
import type { PersistedState } from './persistence.js';
import type { ButtonType } from './types.js';
import type { WorldMessage } from './view-message.js';

export type ControllerEvent =
  | { type: 'button'; button: ButtonType; floor: number; now: number }
  | { type: 'floorSensor'; floor: number | null; now: number }
  | { type: 'obstruction'; active: boolean; now: number }
  | { type: 'stopButton'; pressed: boolean; now: number }
  | { type: 'elevatorConnection'; connected: boolean; now: number }
  | { type: 'tick'; now: number }
  | { type: 'peerMessage'; from: string; body: WorldMessage; now: number }
  /** The shell has made this state durable. */
  | { type: 'persisted'; state: PersistedState; now: number };

/** Notable things for the log and observers. */
export type ControllerLog =
  | { event: 'callPressed'; kind: ButtonType; floor: number }
  | { event: 'callConfirmed'; kind: ButtonType; floor: number; owner?: string }
  | { event: 'callServed'; kind: ButtonType; floor: number }
  | { event: 'peerJoined'; peer: string }
  | { event: 'peerLost'; peer: string }
  /** A peer beyond the mesh's bound of nodes: its messages are ignored (logged once per peer). */
  | { event: 'peerIgnored'; peer: string; maxNodes: number }
  | { event: 'dispatchMismatch'; peer: string; theirs: string; ours: string }
  | {
      event: 'reassigned';
      floor: number;
      direction: 'up' | 'down';
      from: string | null;
      to: string;
    }
  | { event: 'hallCallRefused'; floor: number; reason: string }
  | { event: 'outOfService'; reason: 'motor' | 'obstruction' | 'elevatorServer' }
  | { event: 'backInService' };

export type ControllerEffect =
  | Exclude<ElevatorEffect, { type: 'served' }>
  | { type: 'buttonLamp'; button: ButtonType; floor: number; on: boolean }
  | { type: 'stopLamp'; on: boolean }
  /** Write this state durably, then report back with a `persisted` event. */
  | { type: 'persist'; state: PersistedState }
  /** The view changed: broadcast now rather than at the next period. */
  | { type: 'broadcastNow' }
  | ({ type: 'log' } & ControllerLog);
