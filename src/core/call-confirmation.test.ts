import { describe, expect, it } from 'vitest';
import { isLit, mergeRegister, pressRegister } from './call-register.js';
import {
  aloneKnownFrom,
  confirmPendingCalls,
  refusesHallCall,
  type MeshStanding,
} from './call-confirmation.js';
import { ownCab, type CallView } from './call-view.js';
import type { ControllerEffect } from './controller-events.js';
import { DurableCopy, persistedState, restoreView } from './persistence.js';

const EPOCH = 100;

/** Node `a`'s view of 3 floors with a pending hall-up call at floor 1 and a pending cab call at 2. */
function pressed(): CallView {
  const view = restoreView('a', 3);
  const pair = view.hall[1];
  if (pair === undefined) throw new Error('no floor 1');
  pair[0] = pressRegister(pair[0], 'a', EPOCH);
  const own = ownCab(view);
  own[2] = pressRegister(own[2] ?? {}, 'a', EPOCH);
  return view;
}

/** `peer` holds every pending instance of `view` (as its view slice would say). */
function witnessedBy(view: CallView, peer: string): void {
  const pair = view.hall[1];
  if (pair === undefined) throw new Error('no floor 1');
  pair[0] = mergeRegister(pair[0], mergeRegister(pair[0], {}, peer), 'a');
  const own = ownCab(view);
  own[2] = mergeRegister(own[2] ?? {}, mergeRegister(own[2] ?? {}, {}, peer), 'a');
}

function onDisk(view: CallView): DurableCopy {
  const durable = new DurableCopy(restoreView('a', 3), EPOCH);
  durable.stored(persistedState(view, EPOCH));
  return durable;
}

const PEER_TIMEOUT = 800;

/** Up since 0; `now` defaults to past the first peer timeout. */
const standing = (alive: string[], heardAnyPeer: boolean, now = 1000): MeshStanding => ({
  alive,
  heardAnyPeer,
  upSince: 0,
  now,
  peerTimeoutMs: PEER_TIMEOUT,
  aloneHallCalls: 'accept',
});

const lit = (view: CallView) => ({
  hall: isLit(view.hall[1]?.[0] ?? {}),
  cab: isLit(ownCab(view)[2] ?? {}),
});

describe('confirmPendingCalls', () => {
  it('alone: confirms once the calls are on its disk, not before', () => {
    const view = pressed();
    const out: ControllerEffect[] = [];
    expect(
      confirmPendingCalls(
        view,
        new DurableCopy(restoreView('a', 3), EPOCH),
        standing(['a'], false),
        out,
      ),
    ).toBe(false);
    expect(lit(view)).toEqual({ hall: false, cab: false });
    expect(confirmPendingCalls(view, onDisk(view), standing(['a'], false), out)).toBe(true);
    expect(lit(view)).toEqual({ hall: true, cab: true });
    expect(out).toEqual([
      { type: 'log', event: 'callConfirmed', kind: 'hallUp', floor: 1 },
      { type: 'log', event: 'callConfirmed', kind: 'cab', floor: 2, owner: 'a' },
    ]);
  });

  it('just started, no peer heard yet: not known to be alone, so nothing is confirmed for a peer timeout', () => {
    const view = pressed();
    const durable = onDisk(view);
    const out: ControllerEffect[] = [];
    expect(aloneKnownFrom(standing(['a'], false))).toBe(PEER_TIMEOUT);
    expect(aloneKnownFrom(standing(['a'], true))).toBe(-Infinity);
    expect(confirmPendingCalls(view, durable, standing(['a'], false, PEER_TIMEOUT - 1), out)).toBe(
      false,
    );
    expect(lit(view)).toEqual({ hall: false, cab: false });
    // Heard peers and lost them all: alone at once.
    expect(confirmPendingCalls(view, durable, standing(['a'], true, 10), out)).toBe(true);
    expect(lit(view)).toEqual({ hall: true, cab: true });
    const later = pressed();
    expect(
      confirmPendingCalls(later, onDisk(later), standing(['a'], false, PEER_TIMEOUT), []),
    ).toBe(true);
    expect(lit(later)).toEqual({ hall: true, cab: true });
  });

  it('with a peer: the hall call waits for the peer to hold it, the cab call for the disk too', () => {
    const view = pressed();
    const durable = onDisk(view);
    const out: ControllerEffect[] = [];
    expect(confirmPendingCalls(view, durable, standing(['a', 'b'], true), out)).toBe(false);
    witnessedBy(view, 'b');
    expect(
      confirmPendingCalls(
        view,
        new DurableCopy(restoreView('a', 3), EPOCH),
        standing(['a', 'b'], true),
        out,
      ),
    ).toBe(true);
    expect(lit(view)).toEqual({ hall: true, cab: false });
    expect(confirmPendingCalls(view, durable, standing(['a', 'b'], true), out)).toBe(true);
    expect(lit(view)).toEqual({ hall: true, cab: true });
  });

  it('alone after hearing peers, with aloneHallCalls refuse: refuses hall presses and confirms none', () => {
    const refuse: MeshStanding = { ...standing(['a'], true), aloneHallCalls: 'refuse' };
    expect(refusesHallCall(refuse)).toBe(true);
    expect(refusesHallCall({ ...refuse, heardAnyPeer: false })).toBe(false);
    expect(refusesHallCall({ ...refuse, alive: ['a', 'b'] })).toBe(false);
    const view = pressed();
    confirmPendingCalls(view, onDisk(view), refuse, []);
    expect(lit(view)).toEqual({ hall: false, cab: true });
  });
});
