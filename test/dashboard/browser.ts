/**
 * Launches a real Chromium through playwright-core for the dashboard's browser tests.
 *
 * Which Chromium, in this order:
 * 1. `CHROMIUM_PATH`, when set: that executable, or a failure if it is missing.
 * 2. A system Chromium (`chromium` or `chromium-browser` on the PATH, e.g. Debian's
 *    /usr/bin/chromium), unless `ELEVATOR_MESH_CHROMIUM=npm` asks for the npm one.
 * 3. The Chromium that the dev dependency `@sparticuz/chromium` ships inside its npm package
 *    (a brotli-compressed headless build): unpacked once into `node_modules/.cache/`, so
 *    `npm ci && npm test` needs nothing but Node and npm, and no root.
 *
 * A Chromium that cannot be found or started is a test FAILURE with a clear message, never a
 * silent skip.
 */
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { chmod, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where screenshots go (a CI artifact). */
export const ARTIFACTS_DIR = resolve('artifacts', 'dashboard');

/** The Chromium a launch uses, and where it came from. */
export interface ChromiumChoice {
  executable: string;
  source: 'CHROMIUM_PATH' | 'system' | 'npm';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A `chromium` (or `chromium-browser`) on the PATH, if any. */
export function systemChromium(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    for (const name of ['chromium', 'chromium-browser']) {
      const file = join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

const require = createRequire(import.meta.url);

/**
 * The npm package's Chromium, unpacked (once per package version) into
 * `node_modules/.cache/elevator-mesh-chromium-<version>/chromium`. Several test files may start
 * at once: each unpacks into its own temporary file and renames it into place, so nobody ever
 * starts a half-written binary.
 */
export async function npmChromium(): Promise<string> {
  let entry: string;
  try {
    entry = require.resolve('@sparticuz/chromium');
  } catch (error) {
    throw new Error(
      'no system chromium and no @sparticuz/chromium (a dev dependency): run `npm ci`, ' +
        'or set CHROMIUM_PATH to a Chromium executable',
      { cause: error },
    );
  }
  // The package exports no package.json: walk up from its entry point to its root.
  let packageDir = dirname(entry);
  let version: string | undefined;
  for (;;) {
    const manifest = join(packageDir, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === '@sparticuz/chromium') {
        version = json.version;
        break;
      }
    }
    const up = dirname(packageDir);
    if (up === packageDir) throw new Error(`no @sparticuz/chromium package.json above ${entry}`);
    packageDir = up;
  }
  const compressed = join(packageDir, 'bin', 'chromium.br');
  const cacheDir = join(
    packageDir,
    '..',
    '..',
    '.cache',
    `elevator-mesh-chromium-${version ?? 'unknown'}`,
  );
  const executable = join(cacheDir, 'chromium');
  if (isExecutable(executable)) return executable;
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${executable}.${process.pid}.${Date.now()}.partial`;
  try {
    await pipeline(
      createReadStream(compressed),
      createBrotliDecompress(),
      createWriteStream(partial),
    );
    await chmod(partial, 0o755);
    await rename(partial, executable);
  } finally {
    await rm(partial, { force: true });
  }
  return executable;
}

/** Picks the Chromium to launch (see the module comment for the order). */
export async function chooseChromium(env = process.env): Promise<ChromiumChoice> {
  const explicit = env.CHROMIUM_PATH;
  if (explicit !== undefined && explicit !== '') {
    if (!isExecutable(explicit))
      throw new Error(`CHROMIUM_PATH=${explicit} is not an executable file`);
    return { executable: explicit, source: 'CHROMIUM_PATH' };
  }
  const wanted = env.ELEVATOR_MESH_CHROMIUM ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'npm' && wanted !== 'system')
    throw new Error(`ELEVATOR_MESH_CHROMIUM=${wanted}: expected auto, npm or system`);
  if (wanted !== 'npm') {
    const found = systemChromium(env.PATH);
    if (found !== undefined) return { executable: found, source: 'system' };
    if (wanted === 'system')
      throw new Error('ELEVATOR_MESH_CHROMIUM=system but no chromium on the PATH');
  }
  return { executable: await npmChromium(), source: 'npm' };
}

export interface LaunchedBrowser {
  /** A persistent context on a fresh profile directory (removed on close). */
  context: BrowserContext;
  /** The Chromium that runs. */
  chromium: ChromiumChoice;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const choice = await chooseChromium();
  console.info(`dashboard browser tests: ${choice.source} Chromium ${choice.executable}`);
  const profile = mkdtempSync(join(tmpdir(), 'elevator-dashboard-chromium-'));
  // A fresh --user-data-dir: playwright takes it as the persistent context's directory.
  const context = await chromium.launchPersistentContext(profile, {
    headless: true,
    viewport: { width: 1500, height: 1000 },
    executablePath: choice.executable,
    args: [
      // No sandbox: as root (CI) Chromium refuses to start with one, and the npm build has no
      // setuid helper. The pages are the project's own, served on loopback.
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    chromium: choice,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The path of a screenshot file in {@link ARTIFACTS_DIR} (created if needed). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
