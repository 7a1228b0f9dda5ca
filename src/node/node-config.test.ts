import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SETTINGS, SETTING_KEYS, showSetting } from './config-settings.js';
import { formatHostPort, parseHostPort } from './host-port.js';
import { ConfigError, describeSource, redactConfig } from './node-config.js';
import { resolveConfig } from './resolve-config.js';
import type { ConfigInputs, NodeConfig, ResolvedConfig, SettingKey } from './node-config.js';

const KEY = 'k3y-0123456789abcdef';

function ok(inputs: Partial<ConfigInputs>): ResolvedConfig {
  const result = resolveConfig({ flags: {}, env: {}, ...inputs });
  if (result instanceof ConfigError) throw new Error(`unexpected ConfigError:\n${result.message}`);
  return result;
}

function bad(inputs: Partial<ConfigInputs>): ConfigError {
  const result = resolveConfig({ flags: {}, env: {}, ...inputs });
  if (!(result instanceof ConfigError)) throw new Error('expected a ConfigError');
  return result;
}

describe('resolveConfig: defaults', () => {
  it('fills every default from just an id', () => {
    const { config, sources } = ok({ flags: { id: 'a' } });
    expect(config).toEqual({
      id: 'a',
      server: { host: 'localhost', port: 15657 },
      floors: 4,
      stateDir: './.state/a',
      peerPort: 16570,
      broadcastAddress: '255.255.255.255',
      doorOpenMs: 3000,
      motorTimeoutMs: 4000,
      obstructionTimeoutMs: 5000,
      peerTimeoutMs: 800,
      broadcastIntervalMs: 30,
      aloneHallCalls: 'accept',
      assigner: 'mesh+park',
      metricsPort: undefined,
      logLevel: 'info',
      key: undefined,
      pollIntervalMs: 10,
      serverTimeoutMs: 500,
    } satisfies NodeConfig);
    expect(sources.id).toEqual({ kind: 'flag', flag: '--id' });
    for (const key of SETTING_KEYS.filter((k) => k !== 'id')) {
      expect(sources[key]).toEqual({ kind: 'default' });
    }
  });

  it('takes a +park<N>s strategy, and refuses one with N out of range', () => {
    expect(ok({ flags: { id: 'a', assigner: 'mesh+park30s' } }).config.assigner).toBe(
      'mesh+park30s',
    );
    const err = bad({ flags: { id: 'a', assigner: 'mesh+park0s' } });
    expect(err.issues.map((i) => i.key)).toEqual(['assigner']);
    expect(err.message).toContain('<assigner>+park<N>s (N = 1..3600)');
  });

  it('requires an id and says how to give it', () => {
    const err = bad({});
    expect(err.code).toBe('invalid-config');
    expect(err.issues).toHaveLength(1);
    expect(err.message).toBe(
      'missing id: give --id <id>, set ELEVATOR_ID or "id" in the config file',
    );
  });
});

describe('resolveConfig: precedence flag > env > file > default', () => {
  // For several settings, every subset of {flag, env, file}: the highest layer present wins and
  // is reported as the source.
  const cases: {
    key: SettingKey;
    flag: string;
    env: string;
    file: unknown;
    expected: { flag: unknown; env: unknown; file: unknown; default: unknown };
  }[] = [
    {
      key: 'floors',
      flag: '7',
      env: '9',
      file: 11,
      expected: { flag: 7, env: 9, file: 11, default: 4 },
    },
    {
      key: 'server',
      flag: 'a.example:1',
      env: '10.0.0.2:2',
      file: '[::1]:3',
      expected: {
        flag: { host: 'a.example', port: 1 },
        env: { host: '10.0.0.2', port: 2 },
        file: { host: '::1', port: 3 },
        default: { host: 'localhost', port: 15657 },
      },
    },
    {
      key: 'logLevel',
      flag: 'debug',
      env: 'warn',
      file: 'silent',
      expected: { flag: 'debug', env: 'warn', file: 'silent', default: 'info' },
    },
    {
      key: 'metricsPort',
      flag: '9100',
      env: '0',
      file: 9300,
      expected: { flag: 9100, env: 0, file: 9300, default: undefined },
    },
  ];
  for (const c of cases) {
    for (let mask = 0; mask < 8; mask++) {
      const hasFlag = (mask & 1) !== 0;
      const hasEnv = (mask & 2) !== 0;
      const hasFile = (mask & 4) !== 0;
      const layers = [hasFlag && 'flag', hasEnv && 'env', hasFile && 'file'].filter(Boolean);
      it(`${c.key} with ${layers.join('+') || 'nothing'}`, () => {
        const flags: Record<string, unknown> = { id: 'n1' };
        const env: Record<string, string> = {};
        const file: Record<string, unknown> = {};
        if (hasFlag) flags[c.key] = c.flag;
        if (hasEnv) env[SETTINGS[c.key].env] = c.env;
        if (hasFile) file[c.key] = c.file;
        const { config, sources } = ok({ flags, env, file, fileName: '/etc/n.json' });
        const winner = hasFlag ? 'flag' : hasEnv ? 'env' : hasFile ? 'file' : 'default';
        expect(config[c.key]).toEqual(c.expected[winner]);
        expect(sources[c.key]).toEqual(
          {
            flag: { kind: 'flag', flag: SETTINGS[c.key].flag },
            env: { kind: 'env', variable: SETTINGS[c.key].env },
            file: { kind: 'file', path: '/etc/n.json' },
            default: { kind: 'default' },
          }[winner],
        );
      });
    }
  }

  it('takes every setting from each layer, with the env names from the table', () => {
    const file = { id: 'f', floors: 5, doorOpenMs: 1000, key: KEY, assigner: 'nearest-car' };
    const env = { ELEVATOR_ID: 'e', ELEVATOR_DOOR_OPEN_MS: '2000', ELEVATOR_PEER_PORT: '17000' };
    const flags = { id: 'x', peerPort: '18000', aloneHallCalls: 'refuse' };
    const { config, sources } = ok({ flags, env, file, fileName: 'n.json' });
    expect(config).toMatchObject({
      id: 'x',
      floors: 5,
      doorOpenMs: 2000,
      peerPort: 18000,
      aloneHallCalls: 'refuse',
      assigner: 'nearest-car',
      key: KEY,
      stateDir: './.state/x',
    });
    expect(describeSource(sources.id)).toBe('flag --id');
    expect(describeSource(sources.doorOpenMs)).toBe('environment ELEVATOR_DOOR_OPEN_MS');
    expect(describeSource(sources.floors)).toBe('file n.json');
    expect(describeSource(sources.key)).toBe('file n.json');
    expect(describeSource(sources.stateDir)).toBe('default');
  });

  it('every setting has its own ELEVATOR_* variable', () => {
    const envs = SETTING_KEYS.map((k) => SETTINGS[k].env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const e of envs) expect(e).toMatch(/^ELEVATOR_[A-Z_]+$/);
    expect(SETTINGS.obstructionTimeoutMs.env).toBe('ELEVATOR_OBSTRUCTION_TIMEOUT_MS');
  });
});

describe('resolveConfig: stateDir', () => {
  it('defaults to ./.state/<id>', () => {
    expect(ok({ env: { ELEVATOR_ID: 'n7' } }).config.stateDir).toBe('./.state/n7');
  });
  it('uses $STATE_DIRECTORY (systemd) over the file, the first of several', () => {
    const r = ok({
      flags: { id: 'a' },
      env: { STATE_DIRECTORY: '/var/lib/elevator:/var/lib/other' },
      file: { stateDir: '/from/file' },
    });
    expect(r.config.stateDir).toBe('/var/lib/elevator');
    expect(r.sources.stateDir).toEqual({ kind: 'env', variable: 'STATE_DIRECTORY' });
  });
  it('ELEVATOR_STATE_DIR and the flag beat $STATE_DIRECTORY', () => {
    const env = { STATE_DIRECTORY: '/var/lib/e', ELEVATOR_STATE_DIR: '/srv/e' };
    expect(ok({ flags: { id: 'a' }, env }).config.stateDir).toBe('/srv/e');
    expect(ok({ flags: { id: 'a', stateDir: '/tmp/s' }, env }).config.stateDir).toBe('/tmp/s');
  });
  it('rejects an empty $STATE_DIRECTORY naming it', () => {
    expect(bad({ flags: { id: 'a' }, env: { STATE_DIRECTORY: '' } }).message).toBe(
      'invalid stateDir: "" from environment STATE_DIRECTORY: expected a non-empty path',
    );
  });
});

describe('resolveConfig: validation names key, value and source', () => {
  it('matches the documented message', () => {
    expect(bad({ flags: { id: 'a' }, env: { ELEVATOR_FLOORS: 'abc' } }).message).toBe(
      'invalid floors: "abc" from environment ELEVATOR_FLOORS: expected an integer from 2 to 100',
    );
  });

  // One invalid value per setting; each is tried from the flag, the environment and the file.
  const invalid: Record<Exclude<SettingKey, 'key'>, string> = {
    id: 'has space',
    server: 'localhost',
    floors: '1',
    stateDir: '',
    peerPort: '65536',
    broadcastAddress: '256.1.1.1',
    doorOpenMs: '12abc',
    motorTimeoutMs: '-5',
    obstructionTimeoutMs: '1e4',
    peerTimeoutMs: ' 800',
    broadcastIntervalMs: '0',
    aloneHallCalls: 'maybe',
    assigner: '9lives',
    metricsPort: '',
    logLevel: 'loud',
    pollIntervalMs: '0x10',
    serverTimeoutMs: '5.5',
  };
  for (const [key, value] of Object.entries(invalid) as [SettingKey, string][]) {
    const spec = SETTINGS[key];
    const base = key === 'id' ? {} : { id: 'ok' };
    it(`${key} = ${JSON.stringify(value)} from a flag`, () => {
      const err = bad({ flags: { ...base, [key]: value } });
      expect(err.issues.map((i) => i.key)).toEqual([key]);
      expect(err.message).toBe(
        `invalid ${key}: ${JSON.stringify(value)} from flag ${spec.flag}: expected ${spec.expected}`,
      );
    });
    it(`${key} = ${JSON.stringify(value)} from the environment`, () => {
      const err = bad({ flags: base, env: { [spec.env]: value } });
      expect(err.issues[0]?.source).toEqual({ kind: 'env', variable: spec.env });
      expect(err.message).toBe(
        `invalid ${key}: ${JSON.stringify(value)} from environment ${spec.env}: expected ${spec.expected}`,
      );
    });
    it(`${key} = ${JSON.stringify(value)} from the file`, () => {
      const err = bad({ flags: base, file: { [key]: value }, fileName: 'c.json' });
      expect(err.message).toBe(
        `invalid ${key}: ${JSON.stringify(value)} from file c.json: expected ${spec.expected}`,
      );
    });
  }

  it('wants JSON numbers, not strings, for numbers in the file', () => {
    expect(bad({ file: { id: 'a', floors: '5' }, fileName: 'c.json' }).message).toBe(
      'invalid floors: "5" from file c.json: expected an integer from 2 to 100',
    );
    expect(bad({ file: { id: 'a', floors: 4.5 }, fileName: 'c.json' }).message).toContain(
      'invalid floors: 4.5 from file c.json',
    );
  });

  it('reports every problem at once', () => {
    const err = bad({
      flags: { floors: 'x' },
      env: { ELEVATOR_SERVER: 'nope' },
      file: { logLevel: 3 },
      fileName: 'c.json',
    });
    expect(err.issues.map((i) => i.key)).toEqual(['id', 'server', 'floors', 'logLevel']);
  });

  it('names unknown keys in the file, with a suggestion', () => {
    const err = bad({ flags: { id: 'a' }, file: { flors: 4, zzz: 1 }, fileName: '/c.json' });
    expect(err.message).toBe(
      'unknown key "flors" in file /c.json (did you mean "floors"?)\nunknown key "zzz" in file /c.json',
    );
  });

  it('rejects a file that is not a JSON object', () => {
    for (const file of [null, [], 'text', 3]) {
      expect(bad({ flags: { id: 'a' }, file, fileName: 'c.json' }).message).toMatch(
        /^invalid config file c\.json: expected a JSON object, got /,
      );
    }
  });

  it('rejects a broadcast interval not below the peer timeout, naming both sources', () => {
    const err = bad({
      flags: { id: 'a', broadcastIntervalMs: '800' },
      file: { peerTimeoutMs: 800 },
      fileName: 'c.json',
    });
    expect(err.message).toBe(
      'invalid broadcastIntervalMs: 800 from flag --broadcast-interval-ms must be less than ' +
        'peerTimeoutMs 800 from file c.json',
    );
  });

  it('accepts edge values', () => {
    const { config } = ok({
      flags: { id: 'A_b-9'.padEnd(32, 'z'), floors: '100', peerPort: '65535', metricsPort: '0' },
      env: { ELEVATOR_BROADCAST_ADDRESS: '127.255.255.255', ELEVATOR_FLOORS: '2' },
    });
    expect(config.floors).toBe(100);
    expect(config.metricsPort).toBe(0);
    expect(config.broadcastAddress).toBe('127.255.255.255');
    expect(bad({ flags: { id: 'x'.repeat(33) } }).issues[0]?.key).toBe('id');
  });

  it('warns about unknown ELEVATOR_* variables without failing', () => {
    const r = ok({ flags: { id: 'a' }, env: { ELEVATOR_FLOOR: '3', PATH: '/bin' } });
    expect(r.warnings).toEqual([
      'unknown environment variable ELEVATOR_FLOOR ignored (did you mean "ELEVATOR_FLOORS"?)',
    ]);
  });
});

describe('resolveConfig: the key', () => {
  it('is refused from a flag, whatever its value', () => {
    for (const value of [KEY, true, '']) {
      const err = bad({ flags: { id: 'a', key: value } });
      expect(err.issues).toHaveLength(1);
      expect(err.issues[0]?.source).toEqual({ kind: 'flag', flag: '--key' });
      expect(err.message).toMatch(/^the key cannot be given as a flag/);
      expect(err.message).not.toContain(KEY);
    }
  });

  it('comes from the file, ELEVATOR_KEY or ELEVATOR_KEY_FILE (env over file)', () => {
    expect(ok({ flags: { id: 'a' }, file: { key: KEY } }).config.key).toBe(KEY);
    const env = ok({ flags: { id: 'a' }, env: { ELEVATOR_KEY: `${KEY}-env` }, file: { key: KEY } });
    expect(env.config.key).toBe(`${KEY}-env`);
    expect(env.sources.key).toEqual({ kind: 'env', variable: 'ELEVATOR_KEY' });
    const viaFile = ok({
      flags: { id: 'a' },
      env: { ELEVATOR_KEY_FILE: '/run/secrets/k' },
      keyFileText: `${KEY}\n`,
    });
    expect(viaFile.config.key).toBe(KEY);
    expect(viaFile.sources.key).toEqual({ kind: 'env', variable: 'ELEVATOR_KEY_FILE' });
  });

  it('rejects both ELEVATOR_KEY and ELEVATOR_KEY_FILE', () => {
    const err = bad({
      flags: { id: 'a' },
      env: { ELEVATOR_KEY: KEY, ELEVATOR_KEY_FILE: '/k' },
      keyFileText: KEY,
    });
    expect(err.issues.map((i) => i.key)).toEqual(['key']);
  });

  it('never shows the key in an error', () => {
    const weak = 'short-secret';
    for (const inputs of [
      { env: { ELEVATOR_KEY: weak } },
      { file: { key: weak }, fileName: 'c.json' },
      { env: { ELEVATOR_KEY_FILE: '/k' }, keyFileText: weak },
    ]) {
      const err = bad({ flags: { id: 'a' }, ...inputs });
      expect(err.message).toMatch(/^invalid key: <redacted> from (environment ELEVATOR_KEY|file)/);
      expect(err.message).not.toContain(weak);
    }
  });

  it('is redacted for printing', () => {
    const { config } = ok({ flags: { id: 'a' }, file: { key: KEY } });
    expect(showSetting('key', config.key)).toBe('<redacted>');
    expect(JSON.stringify(redactConfig(config))).not.toContain(KEY);
    expect(redactConfig(config).key).toBe('<redacted>');
    expect(showSetting('server', config.server)).toBe('localhost:15657');
  });
});

describe('host:port', () => {
  it('parses names, IPv4 and bracketed IPv6, and round-trips', () => {
    for (const text of ['localhost:15657', '10.1.2.3:1', '[::1]:65535', 'sim-1.lan:80']) {
      const hp = parseHostPort(text);
      expect(hp).toBeDefined();
      expect(formatHostPort(hp!)).toBe(text);
    }
  });
  it('rejects malformed addresses', () => {
    for (const text of ['localhost', ':80', 'h:0', 'h:65536', 'h:8x', '::1:80', 'a b:1', 'h:']) {
      expect(parseHostPort(text)).toBeUndefined();
    }
  });
});

describe('resolveConfig: fuzz', () => {
  const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
  // Key material is marked so the property can check that no message ever shows it.
  const secret = fc.string({ minLength: 10 }).map((s) => `SECRET${s}`);
  const int = (min: number, max: number) => fc.integer({ min, max });
  // Mostly valid values per setting (as JSON values), so that both outcomes are common.
  const valid: { [K in SettingKey]: fc.Arbitrary<unknown> } = {
    id: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
    server: fc.constantFrom('localhost:15657', '127.0.0.1:1', '[::1]:65535', 'sim.lan:80'),
    floors: int(2, 100),
    stateDir: fc.constantFrom('/tmp/x', './s', 'a b', '/var/lib/elevator'),
    peerPort: int(1, 65535),
    broadcastAddress: fc.ipV4(),
    doorOpenMs: int(1, 600_000),
    motorTimeoutMs: int(100, 600_000),
    obstructionTimeoutMs: int(100, 3_600_000),
    peerTimeoutMs: int(10, 600_000),
    broadcastIntervalMs: int(1, 60_000),
    aloneHallCalls: fc.constantFrom('accept', 'refuse'),
    assigner: fc.constantFrom('reference', 'mesh', 'nearest-car', 'mesh+park'),
    metricsPort: int(0, 65535),
    logLevel: fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    key: secret,
    pollIntervalMs: int(1, 10_000),
    serverTimeoutMs: int(10, 600_000),
  };
  const junkText = fc.oneof(
    fc.string(),
    fc.constantFrom('', '0', '1', '100', '101', '-1', '12abc', '1e3', ' 4', '4 ', 'h:0', '[::1]'),
    fc.integer().map(String),
  );
  const junk = fc.oneof(junkText, fc.anything());
  const names = [...SETTING_KEYS, 'config', 'keyFile', 'bogus', '__proto__', 'constructor'];
  const extras = fc.option(fc.dictionary(fc.constantFrom(...names), junk, { maxKeys: 2 }), {
    freq: 6,
    nil: {},
  });
  /** A layer: some settings, each valid with probability 39/40, plus rare unknown keys. */
  const layer = (
    keys: readonly SettingKey[],
    name: (k: SettingKey) => string,
    asText: boolean,
    bad: fc.Arbitrary<unknown> = junk,
    more: fc.Arbitrary<Record<string, unknown>> = extras,
  ): fc.Arbitrary<Record<string, unknown>> =>
    fc
      .tuple(
        fc.record(
          Object.fromEntries(
            keys.map((k) => {
              const good = asText ? valid[k].map(String) : valid[k];
              return [
                name(k),
                fc.oneof({ arbitrary: good, weight: 39 }, { arbitrary: bad, weight: 1 }),
              ];
            }),
          ),
          { requiredKeys: [] },
        ),
        more,
      )
      .map(([settings, extra]) => ({ ...extra, ...settings }));
  const flagKeys = SETTING_KEYS.filter((k) => SETTINGS[k].flag !== undefined);
  const flags = layer(flagKeys, (k) => k, true);
  const env = fc
    .tuple(
      // Environment values are always strings.
      layer(SETTING_KEYS, (k) => SETTINGS[k].env, true, junkText, fc.constant({})),
      fc.dictionary(
        fc.constantFrom('ELEVATOR_KEY_FILE', 'STATE_DIRECTORY', 'ELEVATOR_NOPE'),
        junkText,
        {
          maxKeys: 1,
        },
      ),
    )
    .map(([a, b]) => ({ ...b, ...a }) as Record<string, string>);
  const file = fc.oneof(
    { arbitrary: layer(SETTING_KEYS, (k) => k, false), weight: 8 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.anything(), weight: 1 },
  );

  it(`never throws; returns a valid config or a ConfigError (seed ${seed})`, () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(flags, env, file, fc.option(secret, { nil: undefined }), (f, e, fl, keyText) => {
        const result = resolveConfig({
          flags: f,
          env: e,
          file: fl,
          fileName: 'fuzz.json',
          keyFileText: keyText,
        });
        if (result instanceof ConfigError) {
          rejected += 1;
          expect(result.code).toBe('invalid-config');
          expect(result.issues.length).toBeGreaterThan(0);
          expect('config' in result).toBe(false);
          for (const issue of result.issues) {
            expect(issue.message.length).toBeGreaterThan(0);
            expect(issue.message).not.toContain('SECRET');
          }
          return;
        }
        // An accepted config is valid: fed back as a file it resolves to itself.
        accepted += 1;
        const { config } = result;
        const asFile = Object.fromEntries(
          SETTING_KEYS.filter((k) => config[k] !== undefined).map((k) => [
            k,
            k === 'server' ? formatHostPort(config.server) : config[k],
          ]),
        );
        const again = resolveConfig({ flags: {}, env: {}, file: asFile });
        expect(again).not.toBeInstanceOf(ConfigError);
        expect((again as ResolvedConfig).config).toEqual(config);
        // Each value is exactly what its reported source held (no lenient half-parsing).
        for (const k of SETTING_KEYS) {
          const src = result.sources[k];
          const shown = k === 'server' ? formatHostPort(config.server) : config[k];
          if (src.kind === 'flag') expect(String(f[k])).toBe(String(shown));
          if (src.kind === 'env' && src.variable === SETTINGS[k].env) {
            expect(e[src.variable]).toMatch(SETTINGS[k].integer ? /^[0-9]+$/ : /.*/s);
            expect(Number.isInteger(shown) ? Number(e[src.variable]) : e[src.variable]).toBe(shown);
          }
          if (src.kind === 'file') expect((fl as Record<string, unknown>)[k]).toEqual(shown);
          if (src.kind === 'default')
            expect(config[k]).toEqual(ok({ flags: { id: config.id } }).config[k]);
        }
        // The key never came from a flag.
        expect('key' in f || 'keyFile' in f).toBe(false);
        expect(result.sources.key.kind).not.toBe('flag');
      }),
      { seed, numRuns: 2000 },
    );
    // Both outcomes must be exercised, or the property proves little.
    expect(accepted).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(200);
  });
});
