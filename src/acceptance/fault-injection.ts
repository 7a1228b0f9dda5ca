/**
 * Fault injection in the lab: starting and lifting each kind of fault of a scenario on its target
 * hosts (packet loss, a pulled cable, a killed controller, a power cycle, a motor power cut, an
 * obstruction).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from './scenario.js';
import type { Panel } from './run-record.js';
import type { NetLab } from './netns-lab.js';
import type { Launched } from './launcher.js';
import { childrenOf, killGroup } from './launcher.js';
import type { SimClient } from './sim-client.js';
import type { Observer } from './observer.js';

/** Waits until `cond` holds for an elevator's latest panel; `false` after `ms`. */
async function waitForPanel(
  observer: Observer,
  id: string,
  cond: (p: Panel) => boolean,
  ms: number,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    const p = observer.latest(id);
    if (p && cond(p)) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What injecting a fault acts on. */
export interface FaultContext {
  floors: number;
  lab: NetLab;
  observer: Observer;
  clients: Map<string, SimClient>;
  supervisors: Map<string, Launched>;
  note: (line: string) => void;
}

/** Starts fault number `index` on each of its targets. */
export async function startFault(
  f: Scenario['faults'][number],
  targets: string[],
  index: number,
  ctx: FaultContext,
): Promise<void> {
  const tag = `fault${index}`;
  for (const id of targets) {
    switch (f.kind) {
      case 'loss':
        await ctx.lab.addLoss(id, f.rate, f.direction, tag, f.lossMode);
        break;
      case 'disconnect':
        if (f.method === 'link-down') await ctx.lab.setLink(id, false);
        else await ctx.lab.addLoss(id, 1, 'both', tag, 'datagram');
        break;
      case 'kill-controller': {
        const sup = ctx.supervisors.get(id);
        const kids = sup ? await childrenOf(sup.pid) : [];
        if (kids.length === 0) ctx.note(`kill-controller ${id}: no controller process found`);
        for (const pid of kids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            ctx.note(`kill-controller ${id}: pid ${pid} already gone`);
          }
        }
        break;
      }
      case 'power-cycle': {
        const sup = ctx.supervisors.get(id);
        if (sup) killGroup(sup.pid, 'SIGKILL');
        break;
      }
      case 'motor-power':
        if (f.whenMoving) {
          // Cut the power of a moving car, so it stops between floors. An idle car gets a cab
          // call to the far end first (a call that must wait for it).
          const moving = (p: Panel): boolean => p.motor !== 'stop' && p.floor === null;
          if (!(await waitForPanel(ctx.observer, id, moving, 500))) {
            const p = ctx.observer.latest(id);
            if (p) {
              const far = p.lastFloor < ctx.floors / 2 ? ctx.floors - 1 : 0;
              await ctx.observer.press(id, 'cab', far).catch(() => undefined);
            }
            if (!(await waitForPanel(ctx.observer, id, moving, 15_000)))
              ctx.note(`motor-power ${id}: the car did not move; power cut while it stood`);
          }
        }
        await ctx.clients.get(id)?.setMotorPower(false);
        break;
      case 'obstruction':
        if (f.whenDoorOpen) {
          // Obstruct an open door (that is when the switch matters). An idle car gets a cab
          // call at its own floor, which opens its door.
          const open = (p: Panel): boolean => p.door;
          if (!(await waitForPanel(ctx.observer, id, open, 300))) {
            const p = ctx.observer.latest(id);
            if (p && p.floor !== null && p.motor === 'stop')
              await ctx.observer.press(id, 'cab', p.floor).catch(() => undefined);
            if (!(await waitForPanel(ctx.observer, id, open, 15_000)))
              ctx.note(`obstruction ${id}: the door did not open; obstructed while closed`);
          }
        }
        await ctx.clients.get(id)?.setObstruction(true);
        break;
    }
  }
}

/** Lifts fault number `index` from each of its targets (a power-cycled node starts again). */
export async function liftFault(
  f: Scenario['faults'][number],
  targets: string[],
  index: number,
  ctx: FaultContext & { startNode: (id: string) => Launched; tmp: string },
): Promise<void> {
  const tag = `fault${index}`;
  for (const id of targets) {
    switch (f.kind) {
      case 'loss':
        await ctx.lab.removeLoss(id, f.rate, f.direction, tag, f.lossMode);
        break;
      case 'disconnect':
        if (f.method === 'link-down') await ctx.lab.setLink(id, true);
        else await ctx.lab.removeLoss(id, 1, 'both', tag, 'datagram');
        break;
      case 'kill-controller':
        break;
      case 'power-cycle':
        if (f.wipeState) rmSync(join(ctx.tmp, 'state', id), { recursive: true, force: true });
        ctx.startNode(id);
        break;
      case 'motor-power':
        await ctx.clients.get(id)?.setMotorPower(true);
        break;
      case 'obstruction':
        await ctx.clients.get(id)?.setObstruction(false);
        break;
    }
  }
}
