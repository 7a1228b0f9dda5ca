/**
 * Builds the dashboard's web app (vite + preact, `src/dashboard/web/`) into static files
 * (`dist/web/`), which the monitor serves. No dev server: the build runs once, through vite's JS
 * API, whenever the output is missing or older than a source file. `npm run build` makes it too,
 * so the package (`npm pack`) ships the built page and needs neither vite nor the sources.
 *
 * Several processes may want the build at once (tests in parallel, a monitor starting while
 * another builds), so the build holds a lock file and writes into a fresh directory that is then
 * swapped into place: a reader never sees half a build.
 */
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the web app's sources and build output live. */
export interface WebPaths {
  /** The web app's root (holds index.html and the sources). */
  root: string;
  /** The build output, served by the monitor. */
  outDir: string;
  /** The shared view-model types, a source of the build too. */
  viewModel: string;
}

/** The package root: the nearest directory above this file with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('elevator-mesh: cannot find the package root');
    dir = up;
  }
}

/** The web app's paths, found from the package root (works from `src/` and from `dist/`). */
export function webPaths(): WebPaths {
  const pkg = packageRoot();
  const root = join(pkg, 'src', 'dashboard', 'web');
  return {
    root,
    outDir: join(pkg, 'dist', 'web'),
    viewModel: join(root, '..', 'view-model.ts'),
  };
}

function newestSourceMtime(paths: WebPaths): number {
  let newest = existsSync(paths.viewModel) ? statSync(paths.viewModel).mtimeMs : 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // (`dist` here is an old build's output, from before it moved to the package's dist/web.)
      if (entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(paths.root);
  return newest;
}

/** Whether the build output exists and is newer than every source. */
export function webBuildIsFresh(paths: WebPaths = webPaths()): boolean {
  const index = join(paths.outDir, 'index.html');
  if (!existsSync(index)) return false;
  // Without the sources (an installed package with a prebuilt app) the output is all there is.
  if (!existsSync(join(paths.root, 'main.tsx'))) return true;
  return statSync(index).mtimeMs >= newestSourceMtime(paths);
}

const LOCK_STALE_MS = 120_000;

async function withLock<T>(lockPath: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a crashed builder is broken after a while.
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS)
          rmSync(lockPath, { force: true });
      } catch {
        // It vanished meanwhile: try again.
      }
      if (Date.now() - started > 2 * LOCK_STALE_MS)
        throw new Error(`web build lock ${lockPath} held too long`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

/**
 * Builds the web app unless its output is fresh. Returns the output directory. Needs `vite`
 * (a dev dependency) only when it actually builds.
 */
export async function ensureWebBuild(paths: WebPaths = webPaths()): Promise<string> {
  if (webBuildIsFresh(paths)) return paths.outDir;
  if (!existsSync(join(paths.root, 'main.tsx'))) {
    throw new Error(
      `elevator-mesh: the dashboard's page is missing (${join(paths.outDir, 'index.html')}) ` +
        'and its sources are not here to build it: reinstall the package',
    );
  }
  const parent = dirname(paths.outDir);
  mkdirSync(parent, { recursive: true });
  await withLock(join(parent, '.web-build.lock'), async () => {
    // Someone else may have built it while we waited for the lock.
    if (webBuildIsFresh(paths)) return;
    const staging = join(parent, `.web-build-${process.pid}-${Date.now()}`);
    mkdirSync(staging, { recursive: true });
    try {
      const { build } = await import('vite');
      await build({
        root: paths.root,
        configFile: false,
        logLevel: 'warn',
        base: './',
        // Vite 8 transforms TSX with oxc; the automatic runtime with preact needs no plugin.
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        build: { outDir: staging, emptyOutDir: true, reportCompressedSize: false },
      });
      const old = join(parent, `.web-old-${process.pid}-${Date.now()}`);
      if (existsSync(paths.outDir)) renameSync(paths.outDir, old);
      renameSync(staging, paths.outDir);
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
  return paths.outDir;
}
