import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ensureWebBuild } from '../../src/dashboard/web-build.js';
import { LOOPBACK_BROADCAST } from './world-broadcaster.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'monitor'];

describe('elevator-mesh monitor (CLI)', () => {
  it('prints the address, serves the page there, and stops on SIGTERM', async () => {
    await ensureWebBuild();
    // Any port works: the peer socket shares it (SO_REUSEADDR) and only listens.
    const peerPort = 30_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      [
        ...CLI,
        '--port',
        '0',
        '--peer-port',
        String(peerPort),
        '--broadcast-address',
        LOOPBACK_BROADCAST,
      ],
      { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 30_000);
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad port with a usage error', async () => {
    const child = spawn(process.execPath, [...CLI, '--port', '70000'], { stdio: 'pipe' });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port must be an integer in 0..65535');
  });
});
