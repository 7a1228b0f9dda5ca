/**
 * Persistence bookkeeping: what a node keeps on disk (its own cab calls and the hall calls), the
 * view it restores from it, what the disk is known to hold (the `persisted` event reports it), and
 * when to ask the shell for a write. Confirmation and the lamps read what the disk holds: a call is
 * confirmed alone, and a lamp turns on, only once the disk holds its instances.
 */
import { EMPTY_REGISTER, type CallRegister } from './call-register.js';
import { ownCab, type CallView } from './call-view.js';
import { registerFromWire, registerToWire, type WireRegister } from './view-message.js';

/** What the node keeps on disk: its own cab counters and the hall counters. */
export interface PersistedState {
  /** The epoch of the run that wrote it. */
  epoch: number;
  cab: WireRegister[];
  hall: [WireRegister, WireRegister][];
  /**
   * Written by a run that did not know the calls yet (`view-sync.ts`: a restart with an empty disk
   * that has not heard its peers' views): the file may lack calls whose lamps are on, so a run that
   * restores it does not know the calls either (absent: it does).
   */
  unsynced?: true;
}

/** The view a node starts with: what its disk holds, or nothing. */
export function restoreView(self: string, floors: number, restored?: PersistedState): CallView {
  const fromDisk = (wire: WireRegister | undefined): CallRegister =>
    wire === undefined ? EMPTY_REGISTER : registerFromWire(wire);
  const hall = Array.from({ length: floors }, (_, f): [CallRegister, CallRegister] => [
    fromDisk(restored?.hall[f]?.[0]),
    fromDisk(restored?.hall[f]?.[1]),
  ]);
  const cab = new Map<string, CallRegister[]>();
  cab.set(
    self,
    Array.from({ length: floors }, (_, f) => fromDisk(restored?.cab[f])),
  );
  return { floors, self, hall, cab };
}

/** The part of the view that the node keeps on disk. */
export function persistedState(view: CallView, epoch: number, knowsCalls = true): PersistedState {
  return {
    epoch,
    cab: ownCab(view).map(registerToWire),
    hall: view.hall.map(([u, d]) => [registerToWire(u), registerToWire(d)]),
    ...(!knowsCalls && { unsynced: true as const }),
  };
}

/** What the disk is known to hold, and the last state the shell was asked to write. */
export class DurableCopy {
  private durableHall: [CallRegister, CallRegister][];
  private durableCab: CallRegister[];
  private requested: string;

  /** Starts as `view` (what the node restored from its disk, or an empty view). */
  constructor(
    view: CallView,
    private readonly epoch: number,
  ) {
    this.durableHall = view.hall.map(([u, d]) => [u, d]);
    this.durableCab = [...ownCab(view)];
    this.requested = JSON.stringify(persistedState(view, epoch));
  }

  /** The hall registers the disk holds, `hall[floor] = [up, down]`. */
  get hall(): readonly (readonly [CallRegister, CallRegister])[] {
    return this.durableHall;
  }

  /** This node's own cab registers the disk holds. */
  get cab(): readonly CallRegister[] {
    return this.durableCab;
  }

  /** The shell has made `state` durable (the `persisted` event). */
  stored(state: PersistedState): void {
    this.durableHall = state.hall.map(([u, d]) => [registerFromWire(u), registerFromWire(d)]);
    this.durableCab = state.cab.map(registerFromWire);
  }

  /**
   * The state to write for `view`, or null when the shell was already asked to write it;
   * `knowsCalls`: see `ViewSync.knowsCalls`.
   */
  writeRequest(view: CallView, knowsCalls: boolean): PersistedState | null {
    const state = persistedState(view, this.epoch, knowsCalls);
    const key = JSON.stringify(state);
    if (key === this.requested) return null;
    this.requested = key;
    return state;
  }
}
