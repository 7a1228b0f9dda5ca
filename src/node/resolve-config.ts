/**
 * The resolver of a node's configuration: flags, environment and config file in, a typed
 * {@link ResolvedConfig} or a {@link ConfigError} out (pure: no I/O; the loader reads the files).
 * Each step below finds one kind of problem; all of them are reported at once.
 */
import { SETTINGS, SETTING_KEYS, EXTRA_ENV, type SettingSpec } from './config-settings.js';
import { suggest } from './config-suggestions.js';
import { ConfigError, describeSource } from './node-config.js';
import type {
  ConfigInputs,
  ConfigIssue,
  ConfigSource,
  ConfigSources,
  NodeConfig,
  ResolvedConfig,
  SettingKey,
} from './node-config.js';

function showRaw(raw: unknown, secret: boolean): string {
  if (secret) return '<redacted>';
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = Object.prototype.toString.call(raw);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const own = (record: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(record, key);

/** The inputs once the file is known to be an object (`{}` when absent or not one). */
interface Inputs extends ConfigInputs {
  readonly file: Record<string, unknown>;
  readonly fileName: string;
}

/** A setting's winning raw value and where it came from. */
interface Picked {
  readonly raw: unknown;
  readonly source: ConfigSource;
}

/**
 * Resolves the node configuration from flags, environment and config file (pure: no I/O).
 * Never throws; returns every problem at once as a {@link ConfigError}.
 */
export function resolveConfig(inputs: ConfigInputs): ResolvedConfig | ConfigError {
  const fileName = inputs.fileName ?? '<config>';
  const issues = fileIssues(inputs.file, fileName);
  issues.push(...flagIssues(inputs.flags));
  const warnings = envWarnings(inputs.env);
  const file = isPlainObject(inputs.file) ? inputs.file : {};
  const { values, sources } = resolveSettings({ ...inputs, file, fileName }, issues);
  issues.push(...crossSettingIssues(values, sources));
  if (issues.length > 0) return new ConfigError(issues);
  return {
    config: values as unknown as NodeConfig,
    sources: sources as ConfigSources,
    warnings,
  };
}

/** The file: a JSON object with known keys only. */
function fileIssues(file: unknown, fileName: string): ConfigIssue[] {
  if (file === undefined) return [];
  const source: ConfigSource = { kind: 'file', path: fileName };
  if (!isPlainObject(file)) {
    return [
      {
        key: 'config',
        source,
        message: `invalid config file ${fileName}: expected a JSON object, got ${showRaw(file, false)}`,
      },
    ];
  }
  return Object.keys(file)
    .filter((name) => !own(SETTINGS, name))
    .map((name) => ({
      key: name,
      source,
      message: `unknown key "${name}" in file ${fileName}${suggest(name, SETTING_KEYS)}`,
    }));
}

/** Flags name known settings; the key must never come from the command line. */
function flagIssues(flags: ConfigInputs['flags']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(flags)) {
    if (name === 'config') continue;
    if (name === 'key' || name === 'keyFile') {
      // It would show in `ps` and shell history.
      issues.push({
        key: 'key',
        source: { kind: 'flag', flag: name === 'key' ? '--key' : '--key-file' },
        message:
          'the key cannot be given as a flag (it would be visible in the process list and shell ' +
          'history): set "key" in the config file, or ELEVATOR_KEY or ELEVATOR_KEY_FILE in the environment',
      });
    } else if (!own(SETTINGS, name) || SETTINGS[name as SettingKey].flag === undefined) {
      issues.push({
        key: name,
        source: { kind: 'flag', flag: `--${name}` },
        message: `unknown flag setting "${name}"${suggest(name, SETTING_KEYS)}`,
      });
    }
  }
  return issues;
}

/** Unknown ELEVATOR_* variables are likely typos, but other tools may share the prefix: warn. */
function envWarnings(env: ConfigInputs['env']): string[] {
  const knownEnv = new Set<string>([...SETTING_KEYS.map((k) => SETTINGS[k].env), ...EXTRA_ENV]);
  return Object.keys(env)
    .filter((name) => name.startsWith('ELEVATOR_') && !knownEnv.has(name))
    .map((name) => `unknown environment variable ${name} ignored${suggest(name, [...knownEnv])}`);
}

/**
 * The value of every setting, in table order: the winning raw value parsed, else the default.
 * Pushes each problem to `issues` (the earlier ones included: a setting already reported is not
 * also reported missing).
 */
function resolveSettings(
  inputs: Inputs,
  issues: ConfigIssue[],
): {
  values: Partial<Record<SettingKey, unknown>>;
  sources: Partial<Record<SettingKey, ConfigSource>>;
} {
  const values: Partial<Record<SettingKey, unknown>> = {};
  const sources: Partial<Record<SettingKey, ConfigSource>> = {};
  let id: string | undefined;

  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key] as SettingSpec<unknown>;
    const picked = pick(key, inputs, issues);
    if (picked === undefined) {
      sources[key] = { kind: 'default' };
      if (spec.fallback === 'required') {
        if (!issues.some((i) => i.key === key)) {
          issues.push({
            key,
            source: undefined,
            message: `missing ${key}: give ${spec.flag ?? ''} <${key}>, set ${spec.env} or "${key}" in the config file`,
          });
        }
      } else if (spec.fallback === 'none') {
        values[key] = undefined;
      } else if (key !== 'stateDir' || id !== undefined) {
        values[key] = spec.fallback(id ?? '');
      }
      continue;
    }
    sources[key] = picked.source;
    const parsed = parseSetting(key, picked);
    if ('issue' in parsed) {
      issues.push(parsed.issue);
    } else {
      values[key] = parsed.value;
      if (key === 'id') id = parsed.value as string;
    }
  }
  return { values, sources };
}

/** The winning raw value of a setting (flag > environment > file), or undefined. */
function pick(key: SettingKey, inputs: Inputs, issues: ConfigIssue[]): Picked | undefined {
  const { flags, env, file, fileName } = inputs;
  const spec = SETTINGS[key];
  if (spec.flag !== undefined && own(flags, key) && flags[key] !== undefined) {
    return { raw: flags[key], source: { kind: 'flag', flag: spec.flag } };
  }
  if (key === 'key') {
    const fromKeyFile = pickKeyFile(inputs, issues);
    if (fromKeyFile !== 'unset') return fromKeyFile;
  }
  const fromEnv = env[spec.env];
  if (fromEnv !== undefined) return { raw: fromEnv, source: { kind: 'env', variable: spec.env } };
  if (key === 'stateDir' && env.STATE_DIRECTORY !== undefined) {
    // systemd's StateDirectory=: several directories are joined by ':'; the first is ours.
    const first = env.STATE_DIRECTORY.split(':')[0];
    return { raw: first, source: { kind: 'env', variable: 'STATE_DIRECTORY' } };
  }
  if (own(file, key) && file[key] !== undefined) {
    return { raw: file[key], source: { kind: 'file', path: fileName } };
  }
  return undefined;
}

/**
 * The key from the file named by `ELEVATOR_KEY_FILE` (undefined, with an issue, when both key
 * variables are set or that file was not read); `'unset'` when that variable is not set.
 */
function pickKeyFile(inputs: Inputs, issues: ConfigIssue[]): Picked | undefined | 'unset' {
  const direct = inputs.env.ELEVATOR_KEY;
  const viaFile = inputs.env.ELEVATOR_KEY_FILE;
  if (direct !== undefined && viaFile !== undefined) {
    issues.push({
      key: 'key',
      source: { kind: 'env', variable: 'ELEVATOR_KEY' },
      message:
        'invalid key: both ELEVATOR_KEY and ELEVATOR_KEY_FILE are set in the environment; set only one',
    });
    return undefined;
  }
  if (viaFile === undefined) return 'unset';
  const source: ConfigSource = { kind: 'env', variable: 'ELEVATOR_KEY_FILE' };
  if (inputs.keyFileText === undefined) {
    issues.push({
      key: 'key',
      source,
      message: `invalid key: the file ${showRaw(viaFile, false)} named by environment ELEVATOR_KEY_FILE was not read`,
    });
    return undefined;
  }
  // Editors and `echo` add a final newline that is not part of the key.
  return { raw: inputs.keyFileText.replace(/[\r\n]+$/, ''), source };
}

/** A raw value checked against its setting's schema. */
function parseSetting(
  key: SettingKey,
  { raw, source }: Picked,
): { value: unknown } | { issue: ConfigIssue } {
  const spec = SETTINGS[key] as SettingSpec<unknown>;
  let candidate: unknown = raw;
  // Env and flag values are text: integers must be plain decimal digits ('12abc', '', '-1',
  // '1e3' and ' 7' are all rejected rather than half-parsed).
  const isText = source.kind === 'flag' || source.kind === 'env';
  if (spec.integer && isText && typeof raw === 'string') {
    candidate = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : Symbol('not-an-integer');
  }
  const parsed = spec.schema.safeParse(candidate);
  if (parsed.success) return { value: parsed.data };
  return {
    issue: {
      key,
      source,
      message: `invalid ${key}: ${showRaw(raw, spec.secret)} from ${describeSource(source)}: expected ${spec.expected}`,
    },
  };
}

/** Rules across settings: a peer that broadcasts less often than the timeout would flap. */
function crossSettingIssues(
  values: Partial<Record<SettingKey, unknown>>,
  sources: Partial<Record<SettingKey, ConfigSource>>,
): ConfigIssue[] {
  const interval = values.broadcastIntervalMs;
  const timeout = values.peerTimeoutMs;
  if (typeof interval !== 'number' || typeof timeout !== 'number' || interval < timeout) return [];
  return [
    {
      key: 'broadcastIntervalMs',
      source: sources.broadcastIntervalMs,
      message:
        `invalid broadcastIntervalMs: ${interval} from ${describeSource(sources.broadcastIntervalMs!)} ` +
        `must be less than peerTimeoutMs ${timeout} from ${describeSource(sources.peerTimeoutMs!)}`,
    },
  ];
}
