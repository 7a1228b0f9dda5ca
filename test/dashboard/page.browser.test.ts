/**
 * The dashboard page in a real browser (chromium through playwright-core), fed by fake nodes
 * (a loopback broadcaster) and a real simulator: what the page shows, its controls, and its
 * reconnection when the monitor restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoControls } from '../../src/dashboard/demo-controls.js';
import { startMonitor, type Monitor } from '../../src/dashboard/monitor-server.js';
import { ensureWebBuild } from '../../src/dashboard/web-build.js';
import type { SimEvent } from '../../src/sim/sim-elevator.js';
import { startSimulator, type Simulator } from '../../src/sim/sim-server.js';
import { artifactPath, launchChromium, type LaunchedBrowser } from './browser.js';
import { registerIn, world } from './world-builder.js';
import { LOOPBACK_BROADCAST, WorldBroadcaster } from './world-broadcaster.js';

let browser: LaunchedBrowser;
let peers: WorldBroadcaster;
let sim: Simulator;
let webRoot: string;
const monitors: Monitor[] = [];

beforeAll(async () => {
  webRoot = await ensureWebBuild();
  browser = await launchChromium();
  peers = new WorldBroadcaster();
  await peers.start();
  sim = await startSimulator({ floors: 4, controlPort: 0, startFloor: 0, travelMs: 200 });
});

afterAll(async () => {
  for (const m of monitors) await m.close();
  await peers?.stop();
  await sim?.close();
  await browser?.close();
});

describe('dashboard page (browser)', () => {
  it('shows the system live, drives the demo controls, and reconnects by itself', async () => {
    const actions: string[] = [];
    const demo: DemoControls = {
      simulators: [{ id: 'A', controlUrl: `http://127.0.0.1:${sim.controlPort ?? 0}` }],
      kill: (id) => Promise.resolve(void actions.push(`kill ${id}`)),
      restart: (id) => Promise.resolve(void actions.push(`restart ${id}`)),
      disconnect: (id) => Promise.resolve(void actions.push(`disconnect ${id}`)),
      reconnect: (id) => Promise.resolve(void actions.push(`reconnect ${id}`)),
    };
    const start = async (port: number): Promise<Monitor> => {
      const m = await startMonitor({
        port,
        peerPort: peers.port,
        broadcastAddress: LOOPBACK_BROADCAST,
        webRoot,
        demo,
      });
      monitors.push(m);
      return m;
    };
    const monitor = await start(0);

    // Three fake nodes: A idle at 0 with a cab call, B moving up past 1 with its door obstructed,
    // C out of service (motor); a confirmed and an unconfirmed hall call.
    const alive = ['A', 'B', 'C'];
    let aBody = world({
      elevator: { floor: 0 },
      alive,
      hall: { '2:up': 'confirmed', '3:down': registerIn('unconfirmed', 'B', 100, ['B']) },
      cab: { A: { 3: 'confirmed' } },
    });
    peers.every(30, 'A', () => aBody);
    peers.every(30, 'B', () =>
      world({
        elevator: { floor: 1, behaviour: 'moving', direction: 'up', obstructed: true },
        alive,
      }),
    );
    peers.every(30, 'C', () =>
      world({ elevator: { floor: 3, available: false, motorFailed: true }, alive }),
    );

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(monitor.url);
    await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor();
    for (const id of alive) await page.getByTestId(`shaft-${id}`).waitFor();

    const attr = (testId: string, name: string) => page.getByTestId(testId).getAttribute(name);
    await expect.poll(() => attr('hall-2-up', 'data-phase')).toBe('confirmed');
    expect(await attr('hall-2-up', 'data-assigned')).toMatch(/^[AB]$/);
    expect(await attr('hall-3-down', 'data-phase')).toBe('unconfirmed');
    expect(await attr('hall-1-up', 'data-phase')).toBe('none');
    expect(await attr('cab-A-3', 'data-phase')).toBe('confirmed');
    expect(await attr('car-A', 'data-floor')).toBe('0');
    expect(await attr('car-B', 'data-behaviour')).toBe('moving');
    await expect.poll(() => page.getByTestId('shaft-C').textContent()).toContain('motor failed');
    expect(await page.getByTestId('shaft-B').locator('.obstruction').count()).toBe(1);
    expect(await page.getByTestId('peer-A').getAttribute('data-status')).toBe('alive');
    await expect.poll(() => page.getByTestId('event-log').textContent()).toContain('C joined');

    // The simulator's card, live from the simulator.
    await page.getByTestId('press-A-cab-2').waitFor();
    // A press from the page reaches the simulator.
    const pressed = new Promise<SimEvent>((resolve) => {
      const off = sim.onChange((e) => {
        if (e.change.type === 'press') {
          off();
          resolve(e);
        }
      });
    });
    await page.getByTestId('press-A-hallUp-1').click();
    expect((await pressed).change).toEqual({ type: 'press', button: 'hallUp', floor: 1 });
    await page.getByTestId('obstruction-A').click();
    await expect.poll(() => sim.state().obstruction).toBe(true);
    await expect.poll(() => page.getByTestId('obstruction-A').textContent()).toContain('ON');
    await page.getByTestId('motor-A').click();
    await expect.poll(() => sim.state().car.motorPower).toBe(false);
    await page.getByTestId('kill-A').click();
    await page.getByTestId('disconnect-A').click();
    await expect.poll(() => actions).toEqual(['kill A', 'disconnect A']);
    await expect
      .poll(() => page.getByTestId('event-log').textContent())
      .toContain('demo: disconnect A');

    // A car on its way to its home floor (parking) says so.
    aBody = world({ elevator: { floor: 1, behaviour: 'moving', direction: 'up', park: 3 }, alive });
    await expect.poll(() => attr('car-A', 'data-park')).toBe('3');
    expect(await page.getByTestId('shaft-A').textContent()).toContain('parking up · to 3');

    // The car arrives and the call is served: the page follows. (A node's slices only add to what
    // it said before, as the registers do: a call goes away by being served, not by silence.)
    aBody = world({
      elevator: { floor: 2, behaviour: 'doorOpen', direction: 'up' },
      hall: { '2:up': 'served' },
      alive,
    });
    await expect.poll(() => attr('car-A', 'data-behaviour')).toBe('doorOpen');
    await expect.poll(() => attr('hall-2-up', 'data-phase')).toBe('none');
    expect(await attr('car-A', 'data-floor')).toBe('2');
    await page.screenshot({ path: artifactPath('page-fake-nodes.png'), fullPage: true });

    // The monitor restarts on the same port: the page says so, then reconnects by itself.
    const port = monitor.port;
    await monitor.close();
    await expect.poll(() => attr('connection', 'data-state')).toBe('connecting');
    await start(port);
    await expect.poll(() => attr('connection', 'data-state'), { timeout: 10_000 }).toBe('live');
    await expect.poll(() => attr('car-A', 'data-floor')).toBe('2');
    expect(errors).toEqual([]);
    await page.close();
  });
});
