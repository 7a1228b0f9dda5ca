/**
 * The timings of the lab's building, in ms: one table for the simulator's defaults, the node's
 * defaults, the acceptance lab's real-time speed, the cluster simulation and the benchmark.
 */

/** How the reference simulator moves the car (elevator-protocol.md). */
export const REFERENCE_PHYSICS = Object.freeze({
  /** From leaving one floor's sensor to reaching the next floor. */
  travelMs: 2000,
  /** How long the sensor reads a floor while the car passes it. */
  passingMs: 500,
});

/** The controller's defaults (`elevator-mesh node`; docs/operations.md). */
export const CONTROLLER_DEFAULTS = Object.freeze({
  doorOpenMs: 3000,
  motorTimeoutMs: 4000,
  obstructionTimeoutMs: 5000,
  peerTimeoutMs: 800,
  broadcastIntervalMs: 30,
});

/** A full set of those timings (at some speed): the physics and the controller's. */
export type BuildingTimings = Record<
  keyof typeof REFERENCE_PHYSICS | keyof typeof CONTROLLER_DEFAULTS,
  number
>;
