/**
 * The default ports, written once: every command, the driver, the simulator, the dashboard and the
 * acceptance lab take their defaults from here (docs/operations.md).
 */
export const DEFAULT_PORTS = Object.freeze({
  /** The elevator server protocol (TCP): the lab's hardware server and every simulator of it. */
  elevatorServer: 15657,
  /** The peers' UDP broadcasts. */
  peers: 16570,
  /** The monitor's dashboard (HTTP). */
  monitor: 16580,
  /** The demo's dashboard (HTTP). */
  demo: 8080,
});
