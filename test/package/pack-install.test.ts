/**
 * The artifact for the lab PCs, as an operator gets it: `npm pack` (which builds), then
 * `npm install -g` of the tarball into an empty prefix, offline (the production dependencies are
 * bundled inside it), then the installed `elevator-mesh` run from a directory outside the
 * checkout: `--version`, and `demo` for a few seconds, whose dashboard must answer over HTTP with
 * its built page and whose simulator's control API must take a press that the system serves;
 * then `sim`, a supervised `node` driving it and a `monitor`, each started on its own.
 *
 * The pack runs in the checkout, as an operator's would: its build rewrites dist/ (no other test
 * runs the compiled CLI; the dashboard's page in dist/web is rebuilt only if a source changed,
 * atomically, under the build lock).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freeUdpPort, tcpPortFree } from '../../src/io/free-ports.js';
import { pollUntil } from '../../src/testing/poll-until.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** The environment without what `npm test` itself puts there (npm_config_*, npm_package_*, …). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'NODE_PATH' && k !== 'ELEVATOR_KEY') env[k] = v;
  }
  return { ...env, ...extra };
}

const work = mkdtempSync(join(tmpdir(), 'elevator-mesh-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A base port with `count` free TCP ports at +0.. and +100.. (the demo's servers and APIs). */
async function freeBasePort(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 25_000);
    let free = true;
    for (let i = 0; i < count && free; i++)
      free = (await tcpPortFree(base + i)) && (await tcpPortFree(base + 100 + i));
    if (free) return base;
  }
  throw new Error('no free block of ports for the demo');
}

/** Re-runs `probe` until it yields something (or fails after `timeoutMs`, naming `what`). */
async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Presses the cab button for `floor` through a simulator's control API, as a passenger would:
 * again if its lamp does not light (a momentary press that a busy machine's node did not poll in
 * time is lost, as on a real panel), until the lamp lights; then waits until the call is served:
 * the car at `floor` with its door open, or the lamp off again with the car there.
 */
async function pressUntilServed(control: string, floor: number, what: string): Promise<void> {
  const state = async (): Promise<SimState> =>
    (await (await fetch(`${control}/state`)).json()) as SimState;
  const served = (s: SimState): boolean => s.car.floor === floor && s.lamps.door;
  const deadline = performance.now() + 60_000;
  let lit = false;
  for (let presses = 0; !lit; presses++) {
    if (performance.now() > deadline)
      throw new Error(`${what}: the cab lamp of floor ${floor} never lit (${presses} presses)`);
    const press = await fetch(`${control}/press`, {
      method: 'POST',
      body: JSON.stringify({ button: 'cab', floor }),
    });
    expect(press.status).toBe(200);
    const pressed = performance.now();
    while (!lit && performance.now() - pressed < 2000) {
      const s = await state();
      if (served(s)) return;
      lit = s.lamps.cab[floor] === true;
      if (!lit) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await waitFor(
    async () => {
      const s = await state();
      return served(s) || (s.car.floor === floor && s.lamps.cab[floor] === false) || undefined;
    },
    `${what}: the car at floor ${floor} serving its cab call`,
    60_000,
  );
}

interface Started {
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  out(): string;
  exited: Promise<number | null>;
}

interface SimState {
  clientConnected: boolean;
  car: { floor: number | null };
  lamps: { door: boolean; cab: boolean[] };
}

describe('the npm package', () => {
  it('packs, installs into an empty prefix offline, and runs from anywhere', async () => {
    // 1. npm pack (its prepack script builds: tsc and the dashboard's page).
    const packs = join(work, 'packs');
    mkdirSync(packs);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', packs], {
      cwd: ROOT,
      env: cleanEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      size: number;
      files: { path: string }[];
      bundled: string[];
    }[];
    if (info === undefined) throw new Error(`npm pack printed no result: ${packed.stdout}`);
    expect(info.filename).toBe(`elevator-mesh-${VERSION}.tgz`);
    const files = info.files.map((f) => f.path);
    for (const must of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/elevator-mesh.js',
      'dist/cli/main.js',
      'dist/web/index.html',
      'deploy/elevator-mesh@.service',
      'docs/operations.md',
    ])
      expect(files).toContain(must);
    // No sources: the project's own files are compiled JS (bundled dependencies ship their .d.ts).
    const own = files.filter((f) => !f.startsWith('node_modules/'));
    expect(own.filter((f) => f.startsWith('src/') || /\.tsx?$/.test(f))).toEqual([]);
    expect(info.bundled).toEqual(expect.arrayContaining(['commander', 'pino', 'zod']));
    console.info(`packed ${info.filename}: ${info.size} bytes, ${files.length} files`);

    // 2. npm install -g into an empty prefix, offline: nothing may need the registry.
    const prefix = join(work, 'prefix');
    const started = performance.now();
    await run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--offline',
        '--no-audit',
        '--no-fund',
        join(packs, info.filename),
      ],
      { cwd: work, env: cleanEnv() },
    );
    console.info(`installed in ${Math.round(performance.now() - started)} ms`);
    const installed = join(prefix, 'lib', 'node_modules', 'elevator-mesh');
    const deps = readdirSync(join(installed, 'node_modules'));
    expect(deps).toEqual(expect.arrayContaining(['commander', 'pino', 'zod', 'cli-progress']));
    for (const dev of ['vite', 'tsx', 'typescript', 'playwright-core', 'preact', 'vitest'])
      expect(deps).not.toContain(dev);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    const bin = join(prefix, 'bin', 'elevator-mesh');
    expect(realpathSync(bin)).toBe(join(realpathSync(installed), 'bin', 'elevator-mesh.js'));

    // 3. From a directory outside the checkout, with the prefix's bin on the PATH.
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const env = cleanEnv({
      PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
      LOG_LEVEL: 'warn',
    });
    const version = await run('elevator-mesh', ['--version'], { cwd: elsewhere, env });
    expect(version.stdout.trim()).toBe(VERSION);

    // 4. The demo: dashboard over HTTP, a press through the simulator's control API, served.
    const elevators = 2;
    const basePort = await freeBasePort(elevators);
    const peerPort = await freeUdpPort();
    const demo = spawn(
      'elevator-mesh',
      [
        'demo',
        '--elevators',
        String(elevators),
        '--floors',
        '4',
        '--speed',
        '4',
        '--monitor-port',
        '0',
        '--base-port',
        String(basePort),
        '--peer-port',
        String(peerPort),
      ],
      { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    demo.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    demo.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
    try {
      await pollUntil(() => /dashboard: http/.test(out) && /e1: .*control http/.test(out), out, {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1] ?? '';
      const control = /e1: .*simulator control (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
      const page = await fetch(dashboard);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="app">');
      // The page's built script comes from the package too.
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const asset = await fetch(new URL(script ?? '', dashboard));
      expect(asset.status).toBe(200);
      expect(basename(script ?? '')).toMatch(/\.js$/);

      const state = async (): Promise<SimState> =>
        (await (await fetch(`${control}/state`)).json()) as SimState;
      // The node must be connected to its simulator before a press can reach it.
      const first = await waitFor(async () => {
        const s = await state();
        return s.clientConnected && s.car.floor !== null ? s : undefined;
      }, "e1's node connected to its simulator, the car at a floor");
      const target = first.car.floor === 3 ? 0 : 3;
      await pressUntilServed(control, target, 'e1 (demo)');
      expect(existsSync(join(elsewhere, '.state', 'demo', 'e1'))).toBe(true);
      demo.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      demo.kill('SIGKILL');
    }

    // 5. The subcommands one by one, as a lab PC runs them: sim, a node driving it, a monitor.
    const children: Started[] = [];
    try {
      const sim = start(
        ['sim', '--headless', '--port', '0', '--control-port', '0', '--start-floor', '0'],
        ['--travel-ms', '100', '--log-level', 'info'],
      );
      children.push(sim);
      await waitFor(
        () => Promise.resolve(/"controlPort":\d+/.test(sim.out()) || undefined),
        `the simulator listening (${sim.out()})`,
      );
      const simPort = Number(/"port":(\d+)/.exec(sim.out())?.[1]);
      const simControl = `http://127.0.0.1:${/"controlPort":(\d+)/.exec(sim.out())?.[1]}`;
      const nodePeerPort = await freeUdpPort();
      const peers = ['--peer-port', String(nodePeerPort), '--broadcast-address', '127.255.255.255'];
      const node = start(
        ['node', '--supervise', '--id', 'n1', '--server', `127.0.0.1:${simPort}`],
        ['--state-dir', join(elsewhere, 'n1'), ...peers, '--log-level', 'warn'],
      );
      children.push(node);
      const monitor = start(['monitor', '--port', '0', ...peers, '--log-level', 'warn'], []);
      children.push(monitor);
      const simState = async (): Promise<SimState> =>
        (await (await fetch(`${simControl}/state`)).json()) as SimState;
      await waitFor(
        async () => (await simState()).clientConnected || undefined,
        `the node connected to the simulator (node: ${node.out()})`,
      );
      await pressUntilServed(simControl, 2, `n1 (node: ${node.out()})`);
      const monitorUrl = await waitFor(
        () => Promise.resolve(/Dashboard: (http:\/\/\S+)/.exec(monitor.out())?.[1]),
        `the monitor's address (${monitor.out()})`,
      );
      const monitorPage = await fetch(monitorUrl);
      expect(monitorPage.status).toBe(200);
      expect(await monitorPage.text()).toContain('<div id="app">');
      expect(existsSync(join(elsewhere, 'n1', 'state.json'))).toBe(true);
      for (const child of children) {
        child.process.kill('SIGTERM');
        expect(await child.exited, child.out()).toBe(0);
      }
    } finally {
      for (const child of children) child.process.kill('SIGKILL');
    }

    /** Starts the installed command in the directory outside the checkout. */
    function start(args: string[], more: string[]): Started {
      const child = spawn('elevator-mesh', [...args, ...more], {
        cwd: elsewhere,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
      return {
        process: child,
        out: () => text,
        exited: new Promise((resolve) => child.once('exit', resolve)),
      };
    }
  }, 300_000);
});
