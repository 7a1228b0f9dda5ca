/**
 * What the demo (`elevator-mesh demo`) hands the monitor it runs in-process, so the page can show
 * the simulators and offer the demo's controls. Without it, the monitor is read-only and the page
 * hides the controls.
 */

/** The demo's controls. `id` is a node id; each simulator has the id of the node driving it. */
export interface DemoControls {
  /** The simulators (their HTTP control API, CORS enabled: see `src/sim/control-api.ts`). */
  simulators: { id: string; controlUrl: string }[];
  /** Kills the node `id` (its process dies; its supervisor is stopped too). */
  kill(id: string): Promise<void>;
  /** Starts the node `id` again after a kill. */
  restart(id: string): Promise<void>;
  /** Cuts the node `id` off the peer network (it keeps running alone). */
  disconnect(id: string): Promise<void>;
  /** Puts the node `id` back on the peer network. */
  reconnect(id: string): Promise<void>;
}

/** The demo actions the monitor's HTTP API exposes (`POST /api/demo/:id/:action`). */
export const DEMO_ACTIONS = ['kill', 'restart', 'disconnect', 'reconnect'] as const;
export type DemoAction = (typeof DEMO_ACTIONS)[number];
