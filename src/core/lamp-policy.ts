/**
 * The lamp policy: the button lamps follow the view, with one more condition for turning on: the
 * lit instances are on this node's own disk too. So whoever shows a light holds the call in memory
 * and on disk, and a lamp never depends on a peer that may have died a moment ago. And until this
 * node knows the calls (`view-sync.ts`) it lights lamps but never darkens one it did not light; nor
 * does a node darken a lamp while an instance it held pending before it first set that lamp is still
 * pending (a previous run may have lit the lamp for it).
 */
import { EMPTY_REGISTER, isLit, isPending, type CallRegister } from './call-register.js';
import { ownCab, type CallView } from './call-view.js';
import type { ControllerEffect } from './controller-events.js';
import type { DurableCopy } from './persistence.js';
import type { ButtonType } from './types.js';

/** The lamps of this node's panel as it last set them. */
export class ButtonLamps {
  private readonly lamps = new Map<string, boolean>();
  /**
   * Per lamp, the instances (origin -> number) that were pending here while this run had not set
   * the lamp yet: a previous run may have lit the lamp for them, so it stays on until each of them
   * is confirmed or served.
   */
  private readonly inherited = new Map<string, Map<string, number>>();

  /** Sets every lamp the policy wants changed; `knowsCalls`: see `ViewSync.knowsCalls`. */
  update(view: CallView, durable: DurableCopy, knowsCalls: boolean, out: ControllerEffect[]): void {
    const want = (
      button: ButtonType,
      floor: number,
      reg: CallRegister,
      onDisk: CallRegister | undefined,
    ) => {
      const key = `${button}:${floor}`;
      const current = this.lamps.get(key);
      if (current === undefined) this.inherit(key, reg);
      // Lit but not yet on our disk: decide once it is (leave the lamp as it is meanwhile).
      if (isLit(reg) && current !== true && !holdsLitInstances(onDisk, reg)) return;
      const on = isLit(reg);
      if (current === on) return;
      // Until this node knows the calls, it only lights lamps, never darkens one it did not light
      // itself: a peer may be about to tell it the call is still on.
      if (!on && current === undefined && !knowsCalls) return;
      // Nor does it darken a lamp while an instance it held pending before it first set the lamp
      // is still pending: a previous run may have lit the lamp for it while the write of its
      // confirmation was in flight (the disk then holds it pending), and setting the lamp again
      // for another instance since (then served) says nothing about that one. It is decided when
      // the instance is: confirmed (on) or served (off).
      if (!on && this.stillInherited(key, reg)) return;
      this.lamps.set(key, on);
      out.push({ type: 'buttonLamp', button, floor, on });
    };
    const own = ownCab(view);
    for (let f = 0; f < view.floors; f++) {
      const pair = view.hall[f];
      const disk = durable.hall[f];
      if (f < view.floors - 1) want('hallUp', f, pair?.[0] ?? EMPTY_REGISTER, disk?.[0]);
      if (f > 0) want('hallDown', f, pair?.[1] ?? EMPTY_REGISTER, disk?.[1]);
      want('cab', f, own[f] ?? EMPTY_REGISTER, durable.cab[f]);
    }
  }

  /** Records the instances pending in `reg` as ones the lamp may stand for from a previous run. */
  private inherit(key: string, reg: CallRegister): void {
    for (const [origin, m] of Object.entries(reg)) {
      if (!isPending(m)) continue;
      let held = this.inherited.get(key);
      if (held === undefined) this.inherited.set(key, (held = new Map<string, number>()));
      held.set(origin, Math.max(held.get(origin) ?? 0, m.p));
    }
  }

  /** Whether an inherited instance of this lamp is still pending in `reg` (forgets the others). */
  private stillInherited(key: string, reg: CallRegister): boolean {
    const held = this.inherited.get(key);
    if (held === undefined) return false;
    for (const [origin, instance] of held) {
      const m = reg[origin];
      if (m !== undefined && m.k < instance && m.s < instance) return true;
      held.delete(origin);
    }
    this.inherited.delete(key);
    return false;
  }
}

/** Whether `durable` holds every instance that makes `reg` lit. */
function holdsLitInstances(durable: CallRegister | undefined, reg: CallRegister): boolean {
  for (const [origin, m] of Object.entries(reg))
    if (m.k > m.s && (durable?.[origin]?.p ?? 0) < m.k) return false;
  return true;
}
