/** Hall-call assignment: types, input parsing, the reference assigner, baselines and a registry. */
export * from './assigner-types.js';
export * from './assigner-input.js';
export * from './assigner-registry.js';
export { compareElevatorIds, sortedElevatorIds } from './elevator-id-order.js';
export { carPosition, nearestCarAssign } from './nearest-car-assigner.js';
export { referenceAssign } from './reference-assigner.js';
export type { ReferenceAssignOptions } from './reference-assigner.js';
export * from './dispatch.js';
export { homeFloors, parkingFloor, parkingTargets } from './parking-policy.js';
