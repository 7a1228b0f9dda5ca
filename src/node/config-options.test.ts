import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addConfigOptions, flagsFromCommand, formatConfigReport } from './config-options.js';
import { SETTINGS, SETTING_KEYS } from './config-settings.js';
import { ConfigError } from './node-config.js';
import { resolveConfig } from './resolve-config.js';
import type { ResolvedConfig } from './node-config.js';

/** Parses argv with a fresh command and returns the flags it reports. */
function parse(argv: string[]): Record<string, unknown> {
  const command = addConfigOptions(new Command('node').exitOverride().option('--other <x>'));
  let flags: Record<string, unknown> = {};
  command.action(() => {
    flags = flagsFromCommand(command);
  });
  command.parse(argv, { from: 'user' });
  return flags;
}

describe('addConfigOptions / flagsFromCommand', () => {
  it('defines one flag per setting except the key, plus --config', () => {
    const command = addConfigOptions(new Command('x'));
    const longs = command.options.map((o) => o.long);
    for (const key of SETTING_KEYS) {
      if (SETTINGS[key].flag !== undefined) expect(longs).toContain(SETTINGS[key].flag);
    }
    expect(longs).toContain('--config');
    expect(command.helpInformation()).not.toContain('--key');
  });

  it('reports only what was typed, under the setting names', () => {
    expect(parse([])).toEqual({});
    expect(parse(['--other', 'x', '--floors', '5'])).toEqual({ floors: '5' });
    expect(
      parse(['--id', 'n1', '--door-open-ms', '100', '--state-dir', '/s', '--config', 'c.json']),
    ).toEqual({
      id: 'n1',
      doorOpenMs: '100',
      stateDir: '/s',
      config: 'c.json',
    });
  });

  it('every flag reaches its setting', () => {
    const argv = [
      '--id',
      'n1',
      '--server',
      'h:1',
      '--floors',
      '9',
      '--peer-port',
      '2000',
      '--broadcast-address',
      '127.255.255.255',
      '--door-open-ms',
      '1',
      '--motor-timeout-ms',
      '101',
      '--obstruction-timeout-ms',
      '102',
      '--peer-timeout-ms',
      '103',
      '--broadcast-interval-ms',
      '4',
      '--alone-hall-calls',
      'refuse',
      '--assigner',
      'nearest-car+park',
      '--metrics-port',
      '0',
      '--log-level',
      'silent',
      '--poll-interval-ms',
      '5',
      '--server-timeout-ms',
      '50',
      '--state-dir',
      '/x',
    ];
    const r = resolveConfig({ flags: parse(argv), env: {} }) as ResolvedConfig;
    expect(r).not.toBeInstanceOf(ConfigError);
    for (const key of SETTING_KEYS) {
      expect(r.sources[key].kind).toBe(key === 'key' ? 'default' : 'flag');
    }
    expect(r.config).toMatchObject({
      floors: 9,
      server: { host: 'h', port: 1 },
      assigner: 'nearest-car+park',
      logLevel: 'silent',
    });
  });

  it('a typed --key, with or without a value, is reported so it can be refused', () => {
    expect(parse(['--key', 'secret'])).toEqual({ key: 'secret' });
    expect(parse(['--key'])).toEqual({ key: true });
    const err = resolveConfig({ flags: parse(['--id', 'a', '--key', 'x']), env: {} });
    expect(err).toBeInstanceOf(ConfigError);
  });
});

describe('formatConfigReport', () => {
  it('prints each value with its source and redacts the key', () => {
    const r = resolveConfig({
      flags: { id: 'n1' },
      env: { ELEVATOR_FLOORS: '6', ELEVATOR_KEY: 'a-very-secret-key-123' },
      file: { logLevel: 'debug' },
      fileName: 'node.json',
    }) as ResolvedConfig;
    const lines = formatConfigReport(r).split('\n');
    expect(lines).toHaveLength(SETTING_KEYS.length);
    expect(lines).toContain('id                    n1  (flag --id)');
    expect(lines).toContain('floors                6  (env ELEVATOR_FLOORS)');
    expect(lines).toContain('logLevel              debug  (file node.json)');
    expect(lines).toContain('server                localhost:15657  (default)');
    expect(lines).toContain('key                   <redacted>  (env ELEVATOR_KEY)');
    expect(lines).toContain('metricsPort           (none)  (default)');
  });
});
