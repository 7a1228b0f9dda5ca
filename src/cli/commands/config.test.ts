import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'elevator-config-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process with a clean ELEVATOR_* environment. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('ELEVATOR_') && k !== 'STATE_DIRECTORY',
    ),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'config', ...args],
      { env: { ...base, ...env }, cwd: process.cwd() },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.concurrent('elevator-mesh config', () => {
  it('--print shows every value with its source, key redacted', async () => {
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ floors: 6, key: 'file-secret-0123456789' }));
    const r = await run(['--print', '--id', 'n1', '--config', file], {
      ELEVATOR_SERVER: '127.0.0.1:15000',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('id                    n1  (flag --id)');
    expect(lines).toContain('server                127.0.0.1:15000  (env ELEVATOR_SERVER)');
    expect(lines).toContain(`floors                6  (file ${file})`);
    expect(lines).toContain(`key                   <redacted>  (file ${file})`);
    expect(lines).toContain('doorOpenMs            3000  (default)');
    expect(r.stdout).not.toContain('file-secret');
  });

  it('--json is machine-readable and redacted', async () => {
    const r = await run(['--json'], { ELEVATOR_ID: 'n2', ELEVATOR_KEY: 'env-secret-0123456789' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { config: Record<string, unknown>; sources: unknown };
    expect(out.config.id).toBe('n2');
    expect(out.config.key).toBe('<redacted>');
    expect(r.stdout).not.toContain('env-secret');
  });

  it('bad configuration: the clear error on stderr and exit code 2', async () => {
    const r = await run(['--print', '--id', 'n1'], { ELEVATOR_FLOORS: 'abc' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'invalid floors: "abc" from environment ELEVATOR_FLOORS: expected an integer from 2 to 100',
    );
  });

  it('refuses --key with an explanation and exit code 2', async () => {
    const r = await run(['--id', 'n1', '--key', 'top-secret-value-123']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the key cannot be given as a flag');
    expect(r.stderr).not.toContain('top-secret');
  });
});
