/**
 * The replicated view of every call as one node holds it: the hall call registers and the cab call
 * registers of every elevator it knows. A plain record that the controller's parts update in place
 * (merging a peer's slice, confirming, pressing, serving).
 */
import { EMPTY_REGISTER, isLit, serveRegister, type CallRegister } from './call-register.js';
import { hallIndex, type ButtonType, type HallMatrix } from './types.js';

export interface CallView {
  readonly floors: number;
  /** This node's id: its own cab registers are `cab.get(self)`. */
  readonly self: string;
  /** `hall[floor] = [up, down]`. */
  readonly hall: [CallRegister, CallRegister][];
  /** Cab call registers by elevator id, one per floor (this node's own always present). */
  readonly cab: Map<string, CallRegister[]>;
}

/** The hall buttons in `[up, down]` order. */
export const HALL_BUTTONS = ['hallUp', 'hallDown'] as const;

/** This node's own cab registers. */
export function ownCab(view: CallView): CallRegister[] {
  const own = view.cab.get(view.self);
  if (own === undefined) throw new Error('own cab registers missing');
  return own;
}

/** The register of a hall call or of this node's own cab call. */
export function ownRegister(view: CallView, button: ButtonType, floor: number): CallRegister {
  if (button === 'cab') return ownCab(view)[floor] ?? EMPTY_REGISTER;
  return view.hall[floor]?.[hallIndex(button)] ?? EMPTY_REGISTER;
}

/** Replaces the register of a hall call or of this node's own cab call. */
export function setOwnRegister(
  view: CallView,
  button: ButtonType,
  floor: number,
  register: CallRegister,
): void {
  if (button === 'cab') ownCab(view)[floor] = register;
  else {
    const pair = view.hall[floor];
    if (pair !== undefined) pair[hallIndex(button)] = register;
  }
}

/** This node's car served the call: every instance of it this node knows of is cleared. */
export function serveCall(view: CallView, button: ButtonType, floor: number): void {
  if (button === 'cab') {
    const own = ownCab(view);
    own[floor] = serveRegister(own[floor] ?? EMPTY_REGISTER);
  } else {
    const pair = view.hall[floor];
    if (pair !== undefined) {
      const d = hallIndex(button);
      pair[d] = serveRegister(pair[d]);
    }
  }
}

/** The lit hall calls. */
export function litHallCalls(view: CallView): HallMatrix {
  return view.hall.map(([u, d]) => [isLit(u), isLit(d)]);
}

/** The lit cab calls of elevator `owner`, one per floor. */
export function litCabCalls(view: CallView, owner: string): boolean[] {
  const cab = view.cab.get(owner) ?? [];
  return Array.from({ length: view.floors }, (_, f) => isLit(cab[f] ?? EMPTY_REGISTER));
}
