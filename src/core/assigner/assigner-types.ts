/**
 * The data types of hall-call assignment, in the JSON shape of the course's reference assigner
 * (`hall_request_assigner`), so that input and output are interchangeable with it.
 */
import type { Behaviour, Direction, HallMatrix } from '../types.js';

/** One elevator as the assigner sees it. `floor` of a moving car is the last floor it passed. */
export interface AssignerElevatorState {
  behaviour: Behaviour;
  floor: number;
  direction: Direction;
  /** One entry per floor: the car's own cab calls, which it must serve whatever the assignment. */
  cabRequests: boolean[];
}

/** The reference assigner's input: the building's hall calls and every available car's state. */
export interface AssignerInput {
  /** `hallRequests[floor] = [up, down]`: the active hall calls. */
  hallRequests: HallMatrix;
  /** Elevator state by elevator id. Ids are arbitrary strings. */
  states: Record<string, AssignerElevatorState>;
  /**
   * OPTIONAL (not in the reference JSON; the reference ignores it): `hallRequestAges[floor] =
   * [up, down]`, how long each active hall call has been waiting, in ms. Only the `mesh` assigner
   * reads it; absent means 0 for every call.
   */
  hallRequestAges?: [number, number][] | undefined;
}

/** The reference assigner's output: for each elevator id, the hall calls it should take. */
export type AssignerOutput = Record<string, HallMatrix>;

/** The `--includeCab` output: each row is `[up, down, cab]`, cab being the car's own cab call. */
export type AssignerOutputWithCab = Record<string, [boolean, boolean, boolean][]>;

/**
 * A hall-call assigner: a pure function from the current calls and car states to an assignment.
 * Contract: every active hall call goes to exactly one elevator of `input.states`, no inactive call
 * is assigned, and the same input always gives the same output.
 */
export type Assigner = (input: AssignerInput) => AssignerOutput;

/** How the reference assigner's simulated cars clear calls when they stop at a floor. */
export type ClearRequestType = 'all' | 'inDirn';

/** The reference assigner's options (its command-line options), with its defaults. */
export interface ReferenceAssignerOptions {
  /** Time to travel one floor, in ms (default 2500). */
  travelDuration: number;
  /** Time the door stays open at a stop, in ms (default 3000). */
  doorOpenDuration: number;
  /** `all`: a stop clears every call at the floor; `inDirn` (default): only those in its direction. */
  clearRequestType: ClearRequestType;
}

/** The reference assigner's defaults. */
export const DEFAULT_REFERENCE_OPTIONS: Readonly<ReferenceAssignerOptions> = Object.freeze({
  travelDuration: 2500,
  doorOpenDuration: 3000,
  clearRequestType: 'inDirn',
});

/**
 * Adds the cab column to an assignment, in the reference's `--includeCab` format: row `f` of car
 * `id` becomes `[up, down, input.states[id].cabRequests[f]]` (the input's cab calls, unchanged).
 */
export function withCabColumn(output: AssignerOutput, input: AssignerInput): AssignerOutputWithCab {
  const result: AssignerOutputWithCab = {};
  for (const [id, rows] of Object.entries(output)) {
    const cab = input.states[id]?.cabRequests ?? [];
    result[id] = rows.map(([up, down], f) => [up, down, cab[f] ?? false]);
  }
  return result;
}
