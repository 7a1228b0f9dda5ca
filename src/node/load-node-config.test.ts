import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load-node-config.js';
import { ConfigError } from './node-config.js';
import type { ResolvedConfig } from './node-config.js';

const dir = mkdtempSync(join(tmpdir(), 'elevator-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const KEY = 'correct-horse-battery-staple';

describe('loadConfig', () => {
  it('reads the file named by --config, over ELEVATOR_CONFIG', () => {
    const a = write('a.json', JSON.stringify({ id: 'from-a', floors: 6 }));
    const b = write('b.json', JSON.stringify({ id: 'from-b' }));
    const r = loadConfig({ flags: { config: a }, env: { ELEVATOR_CONFIG: b } }) as ResolvedConfig;
    expect(r.config.id).toBe('from-a');
    expect(r.config.floors).toBe(6);
    expect(r.sources.floors).toEqual({ kind: 'file', path: a });
    const viaEnv = loadConfig({ flags: {}, env: { ELEVATOR_CONFIG: b } }) as ResolvedConfig;
    expect(viaEnv.config.id).toBe('from-b');
  });

  it('uses the injected reader for both files', () => {
    const files: Record<string, string> = { '/etc/e.json': '{"floors": 8}', '/run/k': KEY };
    const read = (path: string): string => {
      const text = files[path];
      if (text === undefined) throw new Error(`no ${path}`);
      return text;
    };
    const r = loadConfig({
      flags: { id: 'n', config: '/etc/e.json' },
      env: { ELEVATOR_KEY_FILE: '/run/k' },
      readFile: read,
    }) as ResolvedConfig;
    expect(r.config).toMatchObject({ floors: 8, key: KEY });
  });

  it('names a missing file and where its name came from', () => {
    const missing = join(dir, 'nope.json');
    const err = loadConfig({ flags: {}, env: { ELEVATOR_CONFIG: missing } });
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `cannot read config file ${missing} (from environment ELEVATOR_CONFIG): ENOENT`,
    );
  });

  it('names a file that is not JSON', () => {
    const path = write('broken.json', '{ "id": ');
    const err = loadConfig({ flags: { config: path }, env: {} }) as ConfigError;
    expect(err.code).toBe('invalid-config');
    expect(err.message).toMatch(new RegExp(`^config file ${path} is not valid JSON: `));
  });

  it('rejects an empty ELEVATOR_CONFIG', () => {
    const err = loadConfig({ flags: {}, env: { ELEVATOR_CONFIG: '' } }) as ConfigError;
    expect(err.message).toMatch(/ELEVATOR_CONFIG is empty/);
  });

  it('reads the key from ELEVATOR_KEY_FILE without its final newline', () => {
    const keyPath = write('key', `${KEY}\n`);
    const r = loadConfig({
      flags: { id: 'n' },
      env: { ELEVATOR_KEY_FILE: keyPath },
    }) as ResolvedConfig;
    expect(r.config.key).toBe(KEY);
    expect(r.sources.key).toEqual({ kind: 'env', variable: 'ELEVATOR_KEY_FILE' });
  });

  it('names an unreadable key file', () => {
    const err = loadConfig({
      flags: { id: 'n' },
      env: { ELEVATOR_KEY_FILE: join(dir, 'no-key') },
    }) as ConfigError;
    expect(err.issues[0]?.key).toBe('key');
    expect(err.message).toMatch(
      /^cannot read key file .*no-key \(from environment ELEVATOR_KEY_FILE\)/,
    );
  });

  it('validates file contents with the file path as the source', () => {
    const path = write('bad.json', JSON.stringify({ id: 'n', floors: 1, extra: true }));
    const err2 = loadConfig({ flags: { config: path }, env: {} }) as ConfigError;
    expect(err2.message).toBe(
      `unknown key "extra" in file ${path}\n` +
        `invalid floors: 1 from file ${path}: expected an integer from 2 to 100`,
    );
  });
});
