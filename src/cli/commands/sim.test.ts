import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

describe('elevator-mesh sim (process)', () => {
  it('runs headless with a control API on a free port and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'sim',
        '--headless',
        '--port',
        '0',
        '--control-port',
        '0',
        '--floors',
        '6',
        '--start-floor',
        '5',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const end = Date.now() + 20_000;
    let listening: { port: number; controlPort: number } | undefined;
    while (!listening) {
      if (Date.now() > end) throw new Error(`no listening line in: ${out}`);
      const line = out.split('\n').find((l) => l.includes('simulator listening'));
      if (line) listening = JSON.parse(line) as { port: number; controlPort: number };
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(listening.port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${listening.controlPort}/state`);
    expect(await res.json()).toMatchObject({ floors: 6, car: { floor: 5 } });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('rejects a bad option with exit code 2 and a clear message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'sim', '--floors', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--floors must be an integer in 2..255');
  });
});
