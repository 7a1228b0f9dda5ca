/**
 * The browser tests' choice of Chromium: CHROMIUM_PATH first, then a chromium on the PATH, then
 * the one shipped in the npm package @sparticuz/chromium, which must unpack and start here even
 * when a system Chromium exists (so every machine that runs `npm test` proves the npm path).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseChromium, systemChromium } from './browser.js';

const dirs: string[] = [];
function fakeChromiumDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-chromium-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'chromium'), '#!/bin/sh\necho fake\n', { mode: 0o755 });
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('choice of Chromium for the browser tests', () => {
  it('takes CHROMIUM_PATH first, and fails clearly when it names nothing executable', async () => {
    const dir = fakeChromiumDir();
    await expect(chooseChromium({ CHROMIUM_PATH: join(dir, 'chromium') })).resolves.toEqual({
      executable: join(dir, 'chromium'),
      source: 'CHROMIUM_PATH',
    });
    await expect(chooseChromium({ CHROMIUM_PATH: join(dir, 'missing') })).rejects.toThrow(
      /CHROMIUM_PATH=.*missing is not an executable/,
    );
  });

  it('prefers a chromium on the PATH, unless ELEVATOR_MESH_CHROMIUM=npm', async () => {
    const dir = fakeChromiumDir();
    const PATH = `/nonexistent:${dir}`;
    expect(systemChromium(PATH)).toBe(join(dir, 'chromium'));
    await expect(chooseChromium({ PATH })).resolves.toEqual({
      executable: join(dir, 'chromium'),
      source: 'system',
    });
    await expect(
      chooseChromium({ PATH: '/nonexistent', ELEVATOR_MESH_CHROMIUM: 'system' }),
    ).rejects.toThrow(/no chromium on the PATH/);
    await expect(chooseChromium({ PATH, ELEVATOR_MESH_CHROMIUM: 'edge' })).rejects.toThrow(
      /expected auto, npm or system/,
    );
    const npm = await chooseChromium({ PATH, ELEVATOR_MESH_CHROMIUM: 'npm' });
    expect(npm.source).toBe('npm');
  });

  it('unpacks the npm package’s Chromium once and it runs', async () => {
    const first = await chooseChromium({ PATH: '/nonexistent' });
    expect(first.source).toBe('npm');
    expect(first.executable).toMatch(
      /node_modules\/\.cache\/elevator-mesh-chromium-[\d.]+\/chromium$/,
    );
    // Unpacked already: the second choice is the same file.
    expect((await chooseChromium({ PATH: '/nonexistent' })).executable).toBe(first.executable);
    const version = execFileSync(first.executable, ['--version'], { encoding: 'utf8' });
    expect(version).toMatch(/^Chromium \d+\./);
  });
});
