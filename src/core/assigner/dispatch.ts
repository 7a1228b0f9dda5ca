/**
 * Dispatch strategies: a hall-call assigner, optionally with idle-car parking. A strategy is named
 * by its assigner (`reference`, `nearest-car`, `mesh`), with `+park` appended for parking
 * (`mesh+park`), `+idle`, `+adapt` or `+park<N>s` for its variants: the names `--assigner` takes on
 * the node, the benchmark and the monitor.
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
import { createAdaptiveParking } from './adaptive-parking.js';

/** The suffix that adds idle-car parking (`core/assigner/parking-policy`) to an assigner. */
export const PARK_SUFFIX = '+park';

/**
 * The suffix for the same parking, but only after idling: a free car drives to the lobby home at
 * once and to any other home only after idling {@link IDLE_PARK_TIMING}`.parkDelayPerFloorMs` per
 * floor between it and that home, so a car that will soon be called anyway does not drive off.
 */
export const IDLE_PARK_SUFFIX = '+idle';

/**
 * The suffix for adaptive parking (`core/assigner/adaptive-parking`): homes chosen from the hall
 * calls the building has seen (up-peak: the lobby; down-peak: spread over the upper floors), and
 * a free car that declines a home whose drive costs more floors than it is expected to save. It
 * remembers the calls it has seen: each strategy made by `createDispatch` has its own memory.
 */
export const ADAPTIVE_PARK_SUFFIX = '+adapt';

/**
 * The family `+park<N>s` (`mesh+park30s`): the same homes, but a free car drives to the lobby home
 * at once and to any other home only after idling `N` seconds (1 to 3600): a dial from `+park`
 * (wait least, drive most) toward no parking (drive least). {@link PARK_AFTER_MAX_S} bounds `N`.
 */
const PARK_AFTER = /\+park([1-9][0-9]{0,3})s$/;

/** The largest `N` of `+park<N>s`: an hour. */
export const PARK_AFTER_MAX_S = 3600;

/** A `+park<N>s` name read: the name before the suffix and `N`; null if not of that family. */
function parseParkAfter(name: string): { base: string; seconds: number } | null {
  const m = PARK_AFTER.exec(name);
  if (m === null) return null;
  const seconds = Number(m[1]);
  return seconds <= PARK_AFTER_MAX_S ? { base: name.slice(0, m.index), seconds } : null;
}

/** The idle time of a `+park<N>s` name in seconds, or null if `name` is not of that family. */
export function parkAfterSeconds(name: string): number | null {
  return parseParkAfter(name)?.seconds ?? null;
}

/** When a parking car leaves, as its state machine takes it (`ElevatorConfig`). */
export interface ParkTiming {
  parkDelayMs?: number;
  parkDelayPerFloorMs?: number;
  parkAtOnceFloors?: readonly number[];
}

/** The homes a car of `+idle` or `+park<N>s` drives to at once: the lobby. */
const LOBBY: readonly number[] = Object.freeze([0]);

/**
 * The timing of `+idle`: 1 s of idling per floor to the home, the lobby at once. Measured on the
 * dispatch benchmark against immediate parking (0.5 s, 1 s, 2 s, 4 s per floor; flat 5-60 s).
 */
export const IDLE_PARK_TIMING: Readonly<ParkTiming> = Object.freeze({
  parkDelayPerFloorMs: 1000,
  parkAtOnceFloors: LOBBY,
});

/** Where car `id` waits when it has nothing to do, or null to stay where it stopped. */
export type ParkPolicy = (
  input: AssignerInput,
  assignment: AssignerOutput,
  id: string,
) => number | null;

/** A dispatch strategy: the assigner, the parking policy if any, and when parking cars leave. */
export interface Dispatch {
  assign: Assigner;
  park: ParkPolicy | undefined;
  /** For every car's state machine (absent: a free car leaves for its park floor at once). */
  parkTiming?: ParkTiming | undefined;
}

const SUFFIXES = [PARK_SUFFIX, IDLE_PARK_SUFFIX, ADAPTIVE_PARK_SUFFIX] as const;

/**
 * Every dispatch strategy name: each assigner alone, then with parking, parking after idling, and
 * adaptive parking.
 */
export const DISPATCH_NAMES: readonly string[] = [
  ...ASSIGNER_NAMES,
  ...SUFFIXES.flatMap((suffix) => ASSIGNER_NAMES.map((n) => `${n}${suffix}`)),
];

/**
 * The strategy the node, the demo and the monitor use unless told otherwise: it beats the
 * reference on every cell of the dispatch benchmark (`elevator-mesh bench`, README "Dispatch").
 */
export const DEFAULT_DISPATCH = 'mesh+park';

/** The assigner behind a strategy name (`mesh+park` -> `mesh`, `mesh+park30s` -> `mesh`). */
export function baseAssignerName(name: string): string {
  for (const suffix of SUFFIXES) if (name.endsWith(suffix)) return name.slice(0, -suffix.length);
  return parseParkAfter(name)?.base ?? name;
}

/** Whether `name` names a dispatch strategy. */
export function isDispatchName(name: string): boolean {
  return isAssignerName(baseAssignerName(name));
}

/** The strategy names for help texts and errors: the list, and the `+park<N>s` family. */
export const DISPATCH_NAMES_HELP = `${DISPATCH_NAMES.join(', ')}, or <assigner>+park<N>s (N = 1..${PARK_AFTER_MAX_S})`;

/** Thrown by `createDispatch` for a name that is not a strategy. */
export class UnknownDispatchError extends Error {
  readonly code = 'unknown-dispatch' as const;
  constructor(readonly dispatchName: string) {
    super(`unknown assigner "${dispatchName}" (known: ${DISPATCH_NAMES_HELP})`);
    this.name = 'UnknownDispatchError';
  }
}

/** The strategy named `name`, its assigner configured with `settings`. */
export function createDispatch(name: string, settings: AssignerSettings = {}): Dispatch {
  const base = baseAssignerName(name);
  if (!isAssignerName(base)) throw new UnknownDispatchError(name);
  const assign = createAssigner(base satisfies AssignerName, settings);
  if (name.endsWith(ADAPTIVE_PARK_SUFFIX)) return { assign, park: createAdaptiveParking() };
  const afterS = parkAfterSeconds(name);
  if (afterS !== null) {
    return {
      assign,
      park: parkingFloor,
      parkTiming: { parkDelayMs: afterS * 1000, parkAtOnceFloors: LOBBY },
    };
  }
  const idle = name.endsWith(IDLE_PARK_SUFFIX);
  return {
    assign,
    park: name.endsWith(PARK_SUFFIX) || idle ? parkingFloor : undefined,
    ...(idle && { parkTiming: IDLE_PARK_TIMING }),
  };
}
