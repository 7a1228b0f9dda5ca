/**
 * The dashboard's view model: what the monitor pushes to the page (as JSON over SSE). Types only,
 * shared by the server (`system-view.ts`, `monitor-server.ts`) and the web app (`web/`), so both
 * sides agree on the shape at compile time.
 */

/** The phase of a call as the dashboard shows it. */
export type CallPhaseView = 'none' | 'unconfirmed' | 'confirmed';

/** The elevator of one node, as it reports it (see `ElevatorReport` in core/view-message.ts). */
export interface ElevatorView {
  behaviour: 'init' | 'idle' | 'moving' | 'doorOpen';
  /** Last floor the car was at; `null` before the car found a floor. */
  floor: number | null;
  direction: 'up' | 'down' | 'stop';
  available: boolean;
  motorFailed: boolean;
  obstructed: boolean;
  /** Whether the node reaches its elevator server. */
  connected: boolean;
  /** Where the car waits while it has nothing to do (idle-car parking), if anywhere. */
  park?: number | undefined;
}

/** Why an elevator is out of service, if it is (first reason that applies). */
export type OutOfServiceReason = 'elevatorServer' | 'motor' | 'obstruction' | 'unavailable';

/** One node (one elevator) as the monitor hears it. */
export interface NodeView {
  id: string;
  /** `alive`: heard within the peer timeout; `lost`: heard before, silent since. */
  status: 'alive' | 'lost';
  /** The sender's incarnation: it grows when the node restarts. */
  incarnation: number;
  /** How many times the monitor saw this node restart (incarnation change). */
  restarts: number;
  /** The node's last report of its elevator. */
  elevator: ElevatorView;
  /** Set when the elevator cannot take calls. */
  outOfService: OutOfServiceReason | null;
  /** The peers this node says it hears (its own id excluded). */
  sees: string[];
  /** This elevator's cab calls, `cab[floor]` (merged over every alive node's copy). */
  cab: CallPhaseView[];
  /** Wall-clock ms of the last change of `status` (first heard, lost, heard again). */
  since: number;
}

/** One hall call (a floor's up or down button). */
export interface HallCallView {
  phase: CallPhaseView;
  /** The elevator the assignment gives a confirmed call to; `null` otherwise. */
  assignedTo: string | null;
  /** For an unconfirmed call: the nodes known to hold it. */
  witnesses: string[];
}

/** Kinds of log entries (the page picks an icon and colour by kind). */
export type LogKind =
  | 'call'
  | 'served'
  | 'arrival'
  | 'peerJoined'
  | 'peerLost'
  | 'peerRejoined'
  | 'restart'
  | 'peerView'
  | 'reassigned'
  | 'service'
  /** An action taken from the demo's controls. */
  | 'demo';

/** One line of the event log. */
export interface LogEntry {
  /** Increasing number, unique within one monitor run. */
  id: number;
  /** Wall-clock ms. */
  at: number;
  kind: LogKind;
  text: string;
}

/** Counters of the datagrams the monitor received. */
export interface TrafficView {
  accepted: number;
  /** Rejected datagrams by reason (see EnvelopeRejectCode). */
  rejected: Record<string, number>;
}

/** The whole system as the monitor sees it. */
export interface SystemView {
  /** Floors of the building (from the latest report; 0 before anything was heard). */
  floors: number;
  /** Every node ever heard, sorted by id. */
  nodes: NodeView[];
  /** `hall[floor] = [up, down]`. */
  hall: [HallCallView, HallCallView][];
  /** Newest last, bounded. */
  log: LogEntry[];
  traffic: TrafficView;
}

/** A simulator of the demo, for the page's controls. */
export interface DemoSimulatorView {
  id: string;
  controlUrl: string;
}

/** What the page receives on the stream. */
export interface MonitorSnapshot {
  view: SystemView;
  /** Name of the assigner used to show assignments. */
  assigner: string;
  /** Present when the monitor runs inside the demo. */
  demo: { simulators: DemoSimulatorView[] } | null;
}
