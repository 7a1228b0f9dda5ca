/**
 * Merging a peer's view (or a slice of it) into this node's: the registers' lattice join
 * (`call-register.ts`), with this node a witness of every pending instance it now holds, bounded by
 * the mesh's bound of nodes (origins per register, elevators with cab calls).
 */
import { EMPTY_REGISTER, mergeRegister, type CallRegister } from './call-register.js';
import type { CallView } from './call-view.js';
import { MAX_MESH_NODES } from './mesh-bounds.js';
import {
  registerFromWire,
  wireAddsNothing,
  type WireRegister,
  type WorldMessage,
} from './view-message.js';

/** Merges the registers of a peer's slice into `view`; whether any register changed. */
export function mergePeerView(view: CallView, body: Pick<WorldMessage, 'hall' | 'cab'>): boolean {
  const hallChanged = mergeHall(view, body.hall);
  return mergeCab(view, body.cab) || hallChanged;
}

function mergeHall(view: CallView, hall: WorldMessage['hall']): boolean {
  let changed = false;
  hall.forEach(([up, down], f) => {
    const pair = view.hall[f];
    if (pair === undefined || (up.length === 0 && down.length === 0)) return;
    const nu = mergeWire(pair[0], up, view.self);
    const nd = mergeWire(pair[1], down, view.self);
    if (nu !== pair[0] || nd !== pair[1]) changed = true;
    view.hall[f] = [nu, nd];
  });
  return changed;
}

function mergeCab(view: CallView, cab: WorldMessage['cab']): boolean {
  let changed = false;
  for (const [owner, wires] of Object.entries(cab)) {
    let registers = view.cab.get(owner);
    if (registers === undefined) {
      if (view.cab.size >= MAX_MESH_NODES) continue;
      registers = Array.from({ length: view.floors }, () => EMPTY_REGISTER);
      view.cab.set(owner, registers);
      changed = true;
    }
    for (let f = 0; f < view.floors; f++) {
      // Cab calls are only ever pressed at their own elevator: any other origin is bogus, and a
      // pending instance of it would absorb every later press without ever being confirmed.
      const all = wires[f];
      if (all === undefined || all.length === 0) continue; // most floors of a slice: nothing
      const wire = all.filter((e) => e[0] === owner);
      if (wire.length === 0) continue;
      const mine = registers[f] ?? EMPTY_REGISTER;
      const merged = mergeWire(mine, wire, view.self);
      if (merged !== mine) {
        registers[f] = merged;
        changed = true;
      }
    }
  }
  return changed;
}

/** Merges one register of a slice at node `self`, keeping at most the mesh's bound of origins. */
function mergeWire(mine: CallRegister, wire: WireRegister, self: string): CallRegister {
  if (wireAddsNothing(mine, wire, self)) return mine;
  let room = MAX_MESH_NODES - Object.keys(mine).length;
  const bounded =
    wire.length <= room ? wire : wire.filter((e) => mine[e[0]] !== undefined || room-- > 0);
  return mergeRegister(mine, registerFromWire(bounded), self);
}
