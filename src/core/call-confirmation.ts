/**
 * Where calls are confirmed: a pending call (pressed, not yet lit) becomes confirmed, and its light
 * may turn on, once it is stored where a single failure cannot lose it.
 *
 * - A hall call: every peer this node counts as alive holds it (is a witness of the instance); or,
 *   when this node is alone (and knows it: `aloneKnownFrom`), the instance is on its own disk (and
 *   the node may take hall calls alone: see `aloneHallCalls`).
 * - This node's own cab call: it is on this node's disk, and at least one other alive peer holds
 *   it when there is one (alone, and known to be: the disk suffices).
 *
 * The same standing decides whether a press of a hall call is refused at all (`refusesHallCall`).
 */
import {
  confirmRegister,
  coversInstance,
  isLit,
  pendingOrigins,
  seenByAll,
} from './call-register.js';
import { HALL_BUTTONS, ownCab, type CallView } from './call-view.js';
import type { ControllerEffect } from './controller-events.js';
import type { DurableCopy } from './persistence.js';

/** How this node stands in the mesh, as far as confirming a call goes. */
export interface MeshStanding {
  /** The nodes this node hears, itself included, sorted. */
  alive: readonly string[];
  /** Whether this node has ever heard a peer. */
  heardAnyPeer: boolean;
  /** When this node started (its first event), and the time now. */
  upSince: number;
  now: number;
  peerTimeoutMs: number;
  /** What a node that is alone does with a new hall call (`ControllerOptions.aloneHallCalls`). */
  aloneHallCalls: 'accept' | 'refuse';
}

/** Whether this node counts as alone: it hears no peer. */
export function isAlone(standing: MeshStanding): boolean {
  return standing.alive.length === 1;
}

/**
 * From when a node that hears no peer knows it is alone: at once if it has heard peers (each was
 * lost a peer timeout after it was last heard), else a peer timeout after it started. A node that
 * has just started has heard no peer yet, which is not the same as having none: taking itself for
 * alone at once, it lit the calls pending on its disk (a press no peer heard before a crash), held
 * by that one machine while its peers were up.
 */
export function aloneKnownFrom(
  standing: Pick<MeshStanding, 'heardAnyPeer' | 'upSince' | 'peerTimeoutMs'>,
): number {
  return standing.heardAnyPeer ? -Infinity : standing.upSince + standing.peerTimeoutMs;
}

/** Whether a node that is alone confirms hall calls on its own disk. */
function mayTakeHallCallsAlone(standing: MeshStanding): boolean {
  return !standing.heardAnyPeer || standing.aloneHallCalls === 'accept';
}

/** Whether a new hall call is refused (its light stays off): alone, it could never be confirmed. */
export function refusesHallCall(standing: MeshStanding): boolean {
  return isAlone(standing) && !mayTakeHallCallsAlone(standing);
}

/**
 * Confirms every pending call of `view` that is stored where a single failure cannot lose it.
 * Whether any was confirmed.
 */
export function confirmPendingCalls(
  view: CallView,
  durable: DurableCopy,
  standing: MeshStanding,
  out: ControllerEffect[],
): boolean {
  let changed = false;
  const alive = standing.alive;
  const alone = isAlone(standing);
  // Alone and known to be (see `aloneKnownFrom`): until then a call only this node holds waits.
  const knownAlone = alone && standing.now >= aloneKnownFrom(standing);
  const mayTakeHallAlone = mayTakeHallCallsAlone(standing);

  view.hall.forEach((pair, f) => {
    ([0, 1] as const).forEach((d) => {
      for (const origin of pendingOrigins(pair[d])) {
        // With peers: every alive peer holds it. Alone: it is on our disk.
        const ok = alone
          ? knownAlone && mayTakeHallAlone && coversInstance(durable.hall[f]?.[d], pair[d], origin)
          : seenByAll(pair[d], origin, alive);
        if (!ok) continue;
        const wasLit = isLit(pair[d]);
        pair[d] = confirmRegister(pair[d], origin);
        changed = true;
        if (!wasLit)
          out.push({ type: 'log', event: 'callConfirmed', kind: HALL_BUTTONS[d], floor: f });
      }
    });
  });

  // Own cab calls: durable on our disk, and held by at least one other alive peer when we have one.
  const self = view.self;
  const own = ownCab(view);
  own.forEach((reg, f) => {
    if (!pendingOrigins(reg).includes(self)) return;
    const onDisk = coversInstance(durable.cab[f], reg, self);
    const holders = reg[self]?.seen ?? [];
    const replicated = alone ? knownAlone : holders.some((id) => id !== self && alive.includes(id));
    if (!onDisk || !replicated) return;
    own[f] = confirmRegister(reg, self);
    changed = true;
    out.push({ type: 'log', event: 'callConfirmed', kind: 'cab', floor: f, owner: self });
  });
  return changed;
}
