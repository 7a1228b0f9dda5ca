import { afterEach, describe, expect, it } from 'vitest';
import { startHarnessNode, type HarnessNode } from '../testing/node-harness.js';

describe('controller node: a starved process (docs/design.md)', () => {
  let h: HarnessNode | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** The node's own loop tick (the harness's `tick` hands the raw clock to the controller). */
  function loopTick(node: HarnessNode): void {
    node.loopTick(10);
  }

  /** Lets `ms` pass while the node runs, ticking every 10 ms as its loop does. */
  async function run(node: HarnessNode, ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      node.clock.now += 10;
      loopTick(node);
      await Promise.resolve();
    }
  }

  it('time the process was not scheduled does not count: a stall longer than the motor timeout is no motor failure, time it runs does count', async () => {
    h = await startHarnessNode({ maxClockStepMs: 100 });
    await run(h, 1100); // past the start-up wait for peers: lights may come on
    h.io.press('cab', 3);
    await run(h, 50);
    expect(h.io.motor).toBe('up');
    // SIGSTOP for 10 s: the first tick after it sees the clock jump.
    h.clock.now += 10_000;
    loopTick(h);
    expect(h.node.controller.elevator.motorFailed).toBe(false);
    // Running, the car still does not move: after the motor timeout it is a motor failure.
    await run(h, 3800);
    expect(h.node.controller.elevator.motorFailed).toBe(false);
    await run(h, 300);
    expect(h.node.controller.elevator.motorFailed).toBe(true);
  });

  it('without the bound (time driven by hand) the clock is taken as it is', async () => {
    h = await startHarnessNode();
    await run(h, 1100);
    h.io.press('cab', 3);
    await run(h, 50);
    h.clock.now += 10_000;
    loopTick(h);
    expect(h.node.controller.elevator.motorFailed).toBe(true);
  });
});
