/**
 * The assignment of hall calls: every node runs the same deterministic assigner on its view (the lit
 * hall calls, the alive cars' reports and lit cab calls), so they agree without a master. The
 * assigner runs only when its input changed; a call moved from one car to another is logged.
 */
import type { Assigner, AssignerInput, AssignerOutput } from './assigner/assigner-types.js';
import type { ParkPolicy } from './assigner/dispatch.js';
import { EMPTY_REGISTER, isLit } from './call-register.js';
import { litCabCalls, litHallCalls, ownCab, type CallView } from './call-view.js';
import type { ControllerEffect } from './controller-events.js';
import { anyHallCall, assignmentInput } from './assignment-input.js';
import type { HallMatrix, RequestMatrix } from './types.js';
import type { ElevatorReport } from './view-message.js';

/** One car that may take calls: this node's own or an alive peer's, with its last report. */
export interface AssignableCar {
  id: string;
  report: ElevatorReport;
}

/** The current assignment and the input it was computed from (its cache key). */
export class HallAssignment {
  private assignment: Record<string, HallMatrix> = {};
  private key = '';
  /** The input of the last computation (parking is a function of it). */
  private input: AssignerInput = { hallRequests: [], states: {} };

  constructor(
    private readonly assign: Assigner,
    /** Idle-car parking (absent: an idle car stays where it stopped). */
    private readonly park: ParkPolicy | undefined,
  ) {}

  /** The current assignment of hall calls, by elevator id. */
  get current(): Readonly<Record<string, HallMatrix>> {
    return this.assignment;
  }

  /** Assigns the lit hall calls of `view` among `cars` again, if the assigner's input changed. */
  recompute(view: CallView, cars: readonly AssignableCar[], out: ControllerEffect[]): void {
    const hallRequests = litHallCalls(view);
    const input = assignmentInput(
      hallRequests,
      cars.map(({ id, report }) => ({
        id,
        behaviour: report.behaviour,
        floor: report.floor,
        direction: report.direction,
        available: report.available,
        cabRequests: litCabCalls(view, id),
      })),
    );
    const states = input.states;
    this.input = input;
    const anyCall = anyHallCall(hallRequests);
    // The key is built by hand because this runs on every event.
    let key = anyCall ? '' : '-';
    if (anyCall) {
      for (const [u, d] of hallRequests) key += (u ? 'U' : 'u') + (d ? 'D' : 'd');
      for (const [id, st] of Object.entries(states)) {
        key += `|${id}:${st.behaviour}:${st.floor}:${st.direction}:`;
        for (const c of st.cabRequests) key += c ? '1' : '0';
      }
    }
    if (key === this.key) return;
    this.key = key;
    const next: AssignerOutput =
      anyCall && Object.keys(states).length > 0 ? this.assign(input) : {};
    logReassignments(view.floors, this.assignment, next, out);
    this.assignment = next;
  }

  /** What this node's car serves: the hall calls assigned to it and its own lit cab calls. */
  requestsOf(view: CallView): RequestMatrix {
    const mine = this.assignment[view.self];
    const own = ownCab(view);
    return Array.from({ length: view.floors }, (_, f) => [
      mine?.[f]?.[0] ?? false,
      mine?.[f]?.[1] ?? false,
      isLit(own[f] ?? EMPTY_REGISTER),
    ]);
  }

  /** Where car `id` parks while idle, or null. */
  parkingOf(id: string): number | null {
    return this.park?.(this.input, this.assignment, id) ?? null;
  }
}

function logReassignments(
  floors: number,
  before: Record<string, HallMatrix>,
  after: Record<string, HallMatrix>,
  out: ControllerEffect[],
): void {
  const owner = (a: Record<string, HallMatrix>, f: number, d: 0 | 1): string | null => {
    for (const [id, m] of Object.entries(a)) if (m[f]?.[d]) return id;
    return null;
  };
  for (let f = 0; f < floors; f++) {
    for (const d of [0, 1] as const) {
      const from = owner(before, f, d);
      const to = owner(after, f, d);
      if (from !== null && to !== null && from !== to)
        out.push({
          type: 'log',
          event: 'reassigned',
          floor: f,
          direction: d === 0 ? 'up' : 'down',
          from,
          to,
        });
    }
  }
}
