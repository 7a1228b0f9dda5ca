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

/** The shape of the demo object `startDemo` returns (`src/demo/demo.ts`), as far as used here. */
export interface DemoLike {
  elevators: readonly { id: string; controlUrl: string }[];
  kill(id: string): Promise<void>;
  restart(id: string): Promise<void>;
  disconnect(id: string): Promise<void>;
  reconnect(id: string): Promise<void>;
}

/** The monitor's {@link DemoControls} for a running demo. */
export function toDemoControls(demo: DemoLike): DemoControls {
  return {
    simulators: demo.elevators.map((e) => ({ id: e.id, controlUrl: e.controlUrl })),
    kill: (id) => demo.kill(id),
    restart: (id) => demo.restart(id),
    disconnect: (id) => demo.disconnect(id),
    reconnect: (id) => demo.reconnect(id),
  };
}
