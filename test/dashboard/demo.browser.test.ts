/**
 * Acceptance test of the dashboard: the real demo (simulators and supervised node processes on
 * loopback, fast physics) with the monitor in-process as the demo runs it; a real browser opens
 * the page, presses a hall call on a simulator's panel, and watches a car arrive and the light go
 * off. The screenshot is saved in artifacts/dashboard/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { toDemoControls } from '../../src/dashboard/demo-controls.js';
import { startMonitor, type Monitor } from '../../src/dashboard/monitor-server.js';
import { startDemo, type Demo } from '../../src/demo/demo.js';
import { freeUdpPort, tcpPortFree } from '../../src/io/free-ports.js';
import type { Page } from 'playwright-core';
import { artifactPath, launchChromium, type LaunchedBrowser } from './browser.js';
import { LOOPBACK_BROADCAST } from './world-broadcaster.js';

const ELEVATORS = 3;
const FLOORS = 4;

/** A base port with base+i and base+100+i free for every elevator (the demo's port layout). */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: ELEVATORS }, (_, i) => [base + i, base + 100 + i]).flat();
    const free = await Promise.all(ports.map(tcpPortFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

let demo: Demo | undefined;
let monitor: Monitor | undefined;
let browser: LaunchedBrowser | undefined;
let page: Page | undefined;
const stateDir = mkdtempSync(join(tmpdir(), 'elevator-dashboard-demo-'));

afterAll(async () => {
  // The demo first: closing the browser removes its profile synchronously, which would stall the
  // in-process simulators long enough for the nodes to log a lost elevator server.
  await demo?.stop();
  await monitor?.close();
  await browser?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

interface Observation {
  hall: string | null;
  lamp: string | null;
  arrived: boolean;
}

describe('dashboard acceptance (demo + browser)', () => {
  it('presses a call from the page and shows the car arrive and the light go off', async () => {
    browser = await launchChromium();
    const peerPort = await freeUdpPort(LOOPBACK_BROADCAST);
    demo = await startDemo({
      elevators: ELEVATORS,
      floors: FLOORS,
      basePort: await freeBasePort(),
      peerPort,
      broadcastAddress: LOOPBACK_BROADCAST,
      stateDir,
      speed: 4,
      // Every car starts at floor 0, so that a call at floor 2 makes a car travel (with random
      // starts, the three cars could stand on all three floors that have an up button).
      startFloors: [0, 0, 0],
      // Keep the test's output quiet: the node processes log to this process's stdout.
      nodeArgs: ['--log-level', process.env.LOG_LEVEL ?? 'error'],
      logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
      self: {
        command: process.execPath,
        args: ['--import', 'tsx', resolve('src/cli/main.ts')],
      },
    });
    monitor = await startMonitor({
      port: 0,
      peerPort,
      broadcastAddress: LOOPBACK_BROADCAST,
      demo: toDemoControls(demo),
    });

    const view = await browser.context.newPage();
    page = view;
    const errors: string[] = [];
    view.on('pageerror', (e) => errors.push(e.message));
    await view.goto(monitor.url);
    const ids = demo.elevators.map((e) => e.id);

    // Every node up, every car on a floor and idle.
    const attr = (testId: string, name: string) => view.getByTestId(testId).getAttribute(name);
    for (const id of ids) {
      await expect
        .poll(() => view.getByTestId(`peer-${id}`).getAttribute('data-status'), {
          timeout: 30_000,
        })
        .toBe('alive');
      await expect
        .poll(() => attr(`car-${id}`, 'data-behaviour'), { timeout: 30_000 })
        .toBe('idle');
    }
    const carFloors = await Promise.all(ids.map((id) => attr(`car-${id}`, 'data-floor')));
    // A floor with an up button and no car on it, so the car must travel to serve the call.
    const floor = [2, 1, 0].find((f) => !carFloors.includes(String(f)));
    expect(floor).toBeDefined();
    const f = floor ?? 0;
    const sim = ids[0] ?? 'e1';

    // Record what the page shows every 25 ms, so short states (the door open) are not missed.
    await view.evaluate(
      ({ f, sim, ids }) => {
        const w = window as unknown as { __obs: Observation[] };
        w.__obs = [];
        const get = (id: string, a: string) =>
          document.querySelector(`[data-testid="${id}"]`)?.getAttribute(a) ?? null;
        setInterval(() => {
          w.__obs.push({
            hall: get(`hall-${f}-up`, 'data-phase'),
            lamp: get(`press-${sim}-hallUp-${f}`, 'data-lit'),
            arrived: ids.some(
              (id) =>
                get(`car-${id}`, 'data-floor') === String(f) &&
                get(`car-${id}`, 'data-behaviour') === 'doorOpen',
            ),
          });
        }, 25);
      },
      { f, sim, ids },
    );

    await view.getByTestId(`press-${sim}-hallUp-${f}`).click();
    const observations = () =>
      view.evaluate(() => (window as unknown as { __obs: Observation[] }).__obs);
    // The call is confirmed, a car arrives (door open) and the light goes off.
    await expect
      .poll(async () => (await observations()).some((o) => o.hall === 'confirmed'), {
        timeout: 10_000,
      })
      .toBe(true);
    await expect
      .poll(async () => (await observations()).some((o) => o.arrived), { timeout: 20_000 })
      .toBe(true);
    await view.waitForTimeout(300); // let the car's animation settle for the screenshot
    await view.screenshot({ path: artifactPath('demo.png'), fullPage: true });
    await expect
      .poll(
        async () => {
          const last = (await observations()).at(-1);
          return last !== undefined && last.hall === 'none' && last.lamp === 'false';
        },
        { timeout: 10_000 },
      )
      .toBe(true);

    const obs = await observations();
    const firstConfirmed = obs.findIndex((o) => o.hall === 'confirmed');
    const firstLit = obs.findIndex((o) => o.lamp === 'true');
    const firstArrived = obs.findIndex((o) => o.arrived);
    // The simulator's own lamp was lit by the node, before the car arrived.
    expect(firstLit).toBeGreaterThanOrEqual(0);
    expect(firstConfirmed).toBeLessThan(firstArrived);
    expect(firstLit).toBeLessThan(firstArrived);
    const log = (await view.getByTestId('event-log').textContent()) ?? '';
    expect(log).toContain(`Hall ↑ at floor ${f} confirmed`);
    expect(log).toContain(`arrived at floor ${f}`);
    expect(log).toContain(`Hall ↑ at floor ${f} served`);
    console.log(
      `call at floor ${f}: confirmed after ${firstConfirmed * 25} ms, car arrived after ` +
        `${firstArrived * 25} ms (page samples every 25 ms)`,
    );
    expect(errors).toEqual([]);
  });

  it("kills, restarts, disconnects and reconnects a node from the page's controls", async () => {
    const p = page;
    if (p === undefined) throw new Error('the first test did not open the page');
    const status = (id: string) => p.getByTestId(`peer-${id}`).getAttribute('data-status');
    const log = async () => (await p.getByTestId('event-log').textContent()) ?? '';

    await p.getByTestId('kill-e3').click();
    await expect.poll(() => status('e3'), { timeout: 5000 }).toBe('lost');
    await expect.poll(log).toContain('e3 lost');
    await expect.poll(() => p.getByTestId('shaft-e3').getAttribute('class')).toContain('lost');
    await p.screenshot({ path: artifactPath('demo-node-killed.png'), fullPage: true });
    await p.getByTestId('restart-e3').click();
    await expect.poll(() => status('e3'), { timeout: 30_000 }).toBe('alive');
    await expect.poll(log).toContain('e3 rejoined after a restart');

    // A disconnected node is silent on the network: the monitor (a listener) loses it too, and
    // its peers report they no longer hear it.
    await p.getByTestId('disconnect-e2').click();
    await expect.poll(() => status('e2'), { timeout: 5000 }).toBe('lost');
    await expect.poll(log, { timeout: 5000 }).toContain('no longer hears e2');
    await p.getByTestId('reconnect-e2').click();
    await expect.poll(() => status('e2'), { timeout: 10_000 }).toBe('alive');
    await expect.poll(log).toContain('e2 rejoined');
    await expect.poll(log).toContain('demo: reconnect e2');
  });
});
