/**
 * Assigners by name, so the node, the benchmark and the CLI can pick one with `--assigner <name>`.
 * Add a new assigner here with a one-line description.
 */
import type { Assigner, ReferenceAssignerOptions } from './assigner-types.js';
import { meshAssign } from './mesh-assigner.js';
import { nearestCarAssign } from './nearest-car-assigner.js';
import { referenceAssign } from './reference-assigner.js';

/** Tuning every assigner may receive; each uses what applies to it and ignores the rest. */
export type AssignerSettings = Partial<ReferenceAssignerOptions>;

interface AssignerEntry {
  description: string;
  create(settings: AssignerSettings): Assigner;
}

const REGISTRY = {
  reference: {
    description: 'the course reference assigner (races simulated cars; greedy)',
    create: (settings) => (input) => referenceAssign(input, settings),
  },
  'nearest-car': {
    description: 'baseline: each call to the physically nearest car',
    create: () => nearestCarAssign,
  },
  mesh: {
    description: "ours: least total squared wait, routes predicted with elevator-mesh's own rules",
    create: (settings) => (input) =>
      meshAssign(input, {
        ...(settings.travelDuration !== undefined && { travelDuration: settings.travelDuration }),
        ...(settings.doorOpenDuration !== undefined && {
          doorOpenDuration: settings.doorOpenDuration,
        }),
      }),
  },
} satisfies Record<string, AssignerEntry>;

/** A registered assigner's name. */
export type AssignerName = keyof typeof REGISTRY;

/** The registered names, in registration order. */
export const ASSIGNER_NAMES = Object.keys(REGISTRY) as AssignerName[];

/** The name of the default assigner. */
export const DEFAULT_ASSIGNER: AssignerName = 'reference';

/** Thrown by `createAssigner` for a name that is not registered. */
export class UnknownAssignerError extends Error {
  readonly code = 'unknown-assigner' as const;
  constructor(readonly assignerName: string) {
    super(`unknown assigner "${assignerName}" (known: ${ASSIGNER_NAMES.join(', ')})`);
    this.name = 'UnknownAssignerError';
  }
}

/** Whether `name` is a registered assigner. */
export function isAssignerName(name: string): name is AssignerName {
  return Object.hasOwn(REGISTRY, name);
}

/** A short description of a registered assigner, for help texts. */
export function describeAssigner(name: AssignerName): string {
  return REGISTRY[name].description;
}

/** The assigner registered as `name`, configured with `settings`. Throws `UnknownAssignerError`. */
export function createAssigner(name: string, settings: AssignerSettings = {}): Assigner {
  if (!isAssignerName(name)) throw new UnknownAssignerError(name);
  const entry: AssignerEntry = REGISTRY[name];
  return entry.create(settings);
}
