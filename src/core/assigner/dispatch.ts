/**
 * Dispatch strategies: a hall-call assigner, optionally with idle-car parking. A strategy is named
 * by its assigner (`reference`, `nearest-car`, `mesh`), with `+park` appended for parking
 * (`mesh+park`): the names `--assigner` takes on the node, the benchmark and the monitor.
 */
import type { Assigner, AssignerInput, AssignerOutput } from './assigner-types.js';
import {
  ASSIGNER_NAMES,
  type AssignerName,
  type AssignerSettings,
  createAssigner,
  isAssignerName,
} from './assigner-registry.js';
import { parkingFloor } from './parking-policy.js';

/** The suffix that adds idle-car parking (`core/assigner/parking-policy`) to an assigner. */
export const PARK_SUFFIX = '+park';

/** Where car `id` waits when it has nothing to do, or null to stay where it stopped. */
export type ParkPolicy = (
  input: AssignerInput,
  assignment: AssignerOutput,
  id: string,
) => number | null;

/** A dispatch strategy: the assigner, and the parking policy if any. */
export interface Dispatch {
  assign: Assigner;
  park: ParkPolicy | undefined;
}

/** Every dispatch strategy name: each assigner alone, then each with parking. */
export const DISPATCH_NAMES: readonly string[] = [
  ...ASSIGNER_NAMES,
  ...ASSIGNER_NAMES.map((n) => `${n}${PARK_SUFFIX}`),
];

/**
 * The strategy the node, the demo and the monitor use unless told otherwise: it beats the
 * reference on every cell of the dispatch benchmark (`elevator-mesh bench`, README "Dispatch").
 */
export const DEFAULT_DISPATCH = 'mesh+park';

/** The assigner behind a strategy name (`mesh+park` -> `mesh`). */
export function baseAssignerName(name: string): string {
  return name.endsWith(PARK_SUFFIX) ? name.slice(0, -PARK_SUFFIX.length) : name;
}

/** Whether `name` names a dispatch strategy. */
export function isDispatchName(name: string): boolean {
  return isAssignerName(baseAssignerName(name));
}

/** Thrown by `createDispatch` for a name that is not a strategy. */
export class UnknownDispatchError extends Error {
  readonly code = 'UNKNOWN_ASSIGNER';
  constructor(readonly dispatchName: string) {
    super(`unknown assigner "${dispatchName}" (known: ${DISPATCH_NAMES.join(', ')})`);
    this.name = 'UnknownDispatchError';
  }
}

/** The strategy named `name`, its assigner configured with `settings`. */
export function createDispatch(name: string, settings: AssignerSettings = {}): Dispatch {
  const base = baseAssignerName(name);
  if (!isAssignerName(base)) throw new UnknownDispatchError(name);
  return {
    assign: createAssigner(base satisfies AssignerName, settings),
    park: name.endsWith(PARK_SUFFIX) ? parkingFloor : undefined,
  };
}
