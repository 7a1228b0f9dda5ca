/**
 * Configuration of one controller node (`elevator-mesh node`).
 *
 * Every setting can come from four places; the first that has it wins:
 * command-line flag > environment variable (`ELEVATOR_*`) > JSON config file > built-in default.
 * {@link resolveConfig} is a pure function over those inputs; {@link loadConfig} (in
 * `load-node-config.ts`) is the thin shell that reads the files.
 *
 * Untrusted text is parsed once here into a typed {@link NodeConfig} or a {@link ConfigError}
 * whose message names each bad key, the rejected value and where that value came from.
 */
import { z } from 'zod';
import { DEFAULT_DISPATCH, DISPATCH_NAMES, isDispatchName } from '../core/assigner/dispatch.js';
import { CONTROLLER_DEFAULTS } from '../core/timings.js';
import { DEFAULT_PORTS } from '../core/ports.js';

/** Levels understood by pino (and `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a node does with hall calls while it sees no peer (it cannot replicate them). */
export const ALONE_HALL_CALLS = ['accept', 'refuse'] as const;
export type AloneHallCalls = (typeof ALONE_HALL_CALLS)[number];

/** Address of the elevator server (the 4-byte TCP protocol). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The fully resolved, validated configuration of one node. */
export interface NodeConfig {
  /** This node's identity on the mesh: [A-Za-z0-9_-]{1,32}. */
  readonly id: string;
  /** Elevator server address. */
  readonly server: HostPort;
  readonly floors: number;
  /** Where durable state (cab calls, ...) is kept. Relative paths are relative to the cwd. */
  readonly stateDir: string;
  /** UDP port every peer broadcasts to and listens on. */
  readonly peerPort: number;
  /** IPv4 broadcast address for peer datagrams. */
  readonly broadcastAddress: string;
  readonly doorOpenMs: number;
  readonly motorTimeoutMs: number;
  readonly obstructionTimeoutMs: number;
  readonly peerTimeoutMs: number;
  readonly broadcastIntervalMs: number;
  readonly aloneHallCalls: AloneHallCalls;
  /** The dispatch strategy (`core/assigner/dispatch`): an assigner name, `+park` for parking. */
  readonly assigner: string;
  /** Port of the Prometheus endpoint on 127.0.0.1; `undefined` = disabled; 0 = ephemeral. */
  readonly metricsPort: number | undefined;
  readonly logLevel: LogLevel;
  /** Shared HMAC key for peer messages; `undefined` = messages are not authenticated. */
  readonly key: string | undefined;
  /** How often the driver polls the elevator server. */
  readonly pollIntervalMs: number;
  /** How long the driver waits for a reply from the elevator server. */
  readonly serverTimeoutMs: number;
}

export type SettingKey = keyof NodeConfig;

/** Where a setting's effective value came from. */
export type ConfigSource =
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'default' };

export type ConfigSources = { readonly [K in SettingKey]: ConfigSource };

/** A successful resolution. */
export interface ResolvedConfig {
  readonly config: NodeConfig;
  readonly sources: ConfigSources;
  /** Things worth a log line that are not errors (e.g. an unknown `ELEVATOR_*` variable). */
  readonly warnings: readonly string[];
}

/** One problem with the configuration. */
export interface ConfigIssue {
  /** The setting (camelCase) or, for file-level problems, `config`. */
  readonly key: string;
  /** Where the offending value came from, if it came from somewhere. */
  readonly source: ConfigSource | undefined;
  /** A full sentence naming key, value and source. */
  readonly message: string;
}

/** Bad configuration. Returned (not thrown) by {@link resolveConfig}; `code` is stable. */
export class ConfigError extends Error {
  readonly code = 'invalid-config' as const;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((i) => i.message).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** The inputs to {@link resolveConfig}; all of them untrusted. */
export interface ConfigInputs {
  /**
   * Values given explicitly on the command line, keyed by camelCase setting name (see
   * `flagsFromCommand`). A `config` entry (the config file path) is ignored here.
   */
  readonly flags: Readonly<Record<string, unknown>>;
  /** The process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON of the config file, or `undefined` when there is none. */
  readonly file?: unknown;
  /** Path of the config file, for messages. */
  readonly fileName?: string | undefined;
  /** Contents of the file named by `ELEVATOR_KEY_FILE`, read by the loader. */
  readonly keyFileText?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// The table of settings: one row per setting, the single definition shared by the resolver, the
// commander options and `config --print`.

interface SettingSpec<V> {
  /** Long flag, or `undefined` when the setting must never come from the command line. */
  readonly flag: string | undefined;
  readonly valueName: string;
  readonly env: string;
  readonly description: string;
  /** What a valid value looks like, for error messages ("an integer from 2 to 100"). */
  readonly expected: string;
  /** Strings from env/flags are coerced to integers first. */
  readonly integer: boolean;
  readonly schema: z.ZodType<V>;
  /** `required`: no default; `none`: absent means undefined; otherwise a (derived) default. */
  readonly fallback: 'required' | 'none' | ((id: string) => V);
  /** Never print the value. */
  readonly secret: boolean;
  readonly show: (value: V) => string;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// RFC 1123 host names: labels of letters, digits and inner hyphens.
const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6_PATTERN = /^[0-9A-Fa-f:.]{2,45}$/;
const MIN_KEY_LENGTH = 16;

/** Parses `host:port` (IPv6 as `[addr]:port`); `undefined` when malformed. */
export function parseHostPort(text: string): HostPort | undefined {
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) return undefined;
  const host = match[1]!;
  const port = Number(match[2]);
  const hostOk = bracketed
    ? IPV6_PATTERN.test(host) && host.includes(':')
    : HOSTNAME_PATTERN.test(host);
  if (!hostOk || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** Formats a {@link HostPort} back to `host:port`. */
export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

function intSpec(
  flag: string,
  description: string,
  min: number,
  max: number,
  fallback: SettingSpec<number>['fallback'],
): SettingSpec<number> {
  return {
    flag,
    valueName: '<n>',
    env: envName(flag),
    description,
    expected: `an integer from ${min} to ${max}`,
    integer: true,
    schema: z.number().int().min(min).max(max),
    fallback,
    secret: false,
    show: String,
  };
}

function stringSpec<V extends string>(
  flag: string | undefined,
  env: string,
  valueName: string,
  description: string,
  expected: string,
  schema: z.ZodType<V>,
  fallback: SettingSpec<V>['fallback'],
  secret = false,
): SettingSpec<V> {
  return {
    flag,
    valueName,
    env,
    description,
    expected,
    integer: false,
    schema,
    fallback,
    secret,
    show: (v) => v,
  };
}

/** `--door-open-ms` -> `ELEVATOR_DOOR_OPEN_MS`. */
function envName(flag: string): string {
  return `ELEVATOR_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

const constant =
  <V>(value: V) =>
  (): V =>
    value;

/** Every setting, in the order `config --print` shows them. */
export const SETTINGS: {
  readonly [K in SettingKey]: SettingSpec<Exclude<NodeConfig[K], undefined>>;
} = {
  id: stringSpec(
    '--id',
    'ELEVATOR_ID',
    '<id>',
    'this node’s id on the mesh (required)',
    '1 to 32 characters from A-Z a-z 0-9 _ -',
    z.string().regex(ID_PATTERN),
    'required',
  ),
  server: {
    flag: '--server',
    valueName: '<host:port>',
    env: 'ELEVATOR_SERVER',
    description: 'address of the elevator server',
    expected: 'host:port with a host name or address and a port from 1 to 65535',
    integer: false,
    schema: z.string().transform((text, ctx) => {
      const hp = parseHostPort(text);
      if (!hp) {
        ctx.addIssue({ code: 'custom', message: 'not host:port' });
        return z.NEVER;
      }
      return hp;
    }),
    fallback: constant({ host: 'localhost', port: DEFAULT_PORTS.elevatorServer }),
    secret: false,
    show: formatHostPort,
  },
  floors: intSpec('--floors', 'number of floors', 2, 100, constant(4)),
  stateDir: stringSpec(
    '--state-dir',
    'ELEVATOR_STATE_DIR',
    '<dir>',
    'directory for durable state (else $STATE_DIRECTORY from systemd)',
    'a non-empty path',
    z
      .string()
      .min(1)
      .refine((s) => !s.includes('\0')),
    (id) => `./.state/${id}`,
  ),
  peerPort: intSpec(
    '--peer-port',
    'UDP port for peer broadcasts',
    1,
    65535,
    constant(DEFAULT_PORTS.peers),
  ),
  broadcastAddress: stringSpec(
    '--broadcast-address',
    'ELEVATOR_BROADCAST_ADDRESS',
    '<ipv4>',
    'IPv4 broadcast address for peer datagrams',
    'an IPv4 address like 192.168.1.255',
    z.string().regex(IPV4_PATTERN),
    constant('255.255.255.255'),
  ),
  doorOpenMs: intSpec(
    '--door-open-ms',
    'how long the door stays open',
    1,
    600_000,
    constant(CONTROLLER_DEFAULTS.doorOpenMs),
  ),
  motorTimeoutMs: intSpec(
    '--motor-timeout-ms',
    'time between floors before the motor is declared stuck',
    100,
    600_000,
    constant(CONTROLLER_DEFAULTS.motorTimeoutMs),
  ),
  obstructionTimeoutMs: intSpec(
    '--obstruction-timeout-ms',
    'obstructed time before the node gives its hall calls away',
    100,
    3_600_000,
    constant(CONTROLLER_DEFAULTS.obstructionTimeoutMs),
  ),
  peerTimeoutMs: intSpec(
    '--peer-timeout-ms',
    'silence after which a peer counts as gone',
    10,
    600_000,
    constant(CONTROLLER_DEFAULTS.peerTimeoutMs),
  ),
  broadcastIntervalMs: intSpec(
    '--broadcast-interval-ms',
    'interval between state broadcasts',
    1,
    60_000,
    constant(CONTROLLER_DEFAULTS.broadcastIntervalMs),
  ),
  aloneHallCalls: stringSpec(
    '--alone-hall-calls',
    'ELEVATOR_ALONE_HALL_CALLS',
    '<accept|refuse>',
    'whether to take hall calls while no peer is reachable',
    'accept or refuse',
    z.enum(ALONE_HALL_CALLS),
    constant<AloneHallCalls>('accept'),
  ),
  assigner: stringSpec(
    '--assigner',
    'ELEVATOR_ASSIGNER',
    '<name>',
    `dispatch strategy: hall-call assigner, "+park" for idle-car parking, "+idle" for parking after idling (${DISPATCH_NAMES.join(', ')})`,
    `one of ${DISPATCH_NAMES.join(', ')}`,
    z.string().refine(isDispatchName),
    constant(DEFAULT_DISPATCH),
  ),
  metricsPort: intSpec(
    '--metrics-port',
    'serve Prometheus metrics on 127.0.0.1:<port> (0 = any free port; default: off)',
    0,
    65535,
    'none',
  ),
  logLevel: stringSpec(
    '--log-level',
    'ELEVATOR_LOG_LEVEL',
    '<level>',
    'log level',
    `one of ${LOG_LEVELS.join(', ')}`,
    z.enum(LOG_LEVELS),
    constant<LogLevel>('info'),
  ),
  key: stringSpec(
    undefined,
    'ELEVATOR_KEY',
    '<key>',
    'shared HMAC key for peer messages (config file or ELEVATOR_KEY / ELEVATOR_KEY_FILE only)',
    `a string of ${MIN_KEY_LENGTH} to 4096 characters`,
    z.string().min(MIN_KEY_LENGTH).max(4096),
    'none',
    true,
  ),
  pollIntervalMs: intSpec(
    '--poll-interval-ms',
    'how often the driver polls the elevator server',
    1,
    10_000,
    constant(10),
  ),
  serverTimeoutMs: intSpec(
    '--server-timeout-ms',
    'how long the driver waits for a reply from the elevator server',
    10,
    600_000,
    constant(500),
  ),
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** Environment variables read besides the per-setting ones. */
export const EXTRA_ENV = ['ELEVATOR_CONFIG', 'ELEVATOR_KEY_FILE'] as const;

// ---------------------------------------------------------------------------------------------

/** "flag --floors", "environment ELEVATOR_FLOORS", "file ./node.json", "default". */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.flag}`;
    case 'env':
      return `environment ${source.variable}`;
    case 'file':
      return `file ${source.path}`;
    case 'default':
      return 'default';
  }
}

/** The text form of a setting's value; the key is always `<redacted>`. */
export function showSetting<K extends SettingKey>(key: K, value: NodeConfig[K]): string {
  const spec = SETTINGS[key] as SettingSpec<unknown>;
  if (value === undefined) return '(none)';
  return spec.secret ? '<redacted>' : spec.show(value);
}

/** The default of a setting as text: `required`, `none`, or the value (`./.state/<id>`). */
export function describeDefault(key: SettingKey): string {
  const spec = SETTINGS[key] as SettingSpec<unknown>;
  if (spec.fallback === 'required' || spec.fallback === 'none') return spec.fallback;
  return key === 'stateDir' ? './.state/<id>' : spec.show(spec.fallback(''));
}

/** A copy of the config safe to log or print: the key replaced by `<redacted>`. */
export function redactConfig(config: NodeConfig): Omit<NodeConfig, 'key'> & { key?: string } {
  const { key, ...rest } = config;
  return key === undefined ? rest : { ...rest, key: '<redacted>' };
}

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

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggest(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= 2 ? ` (did you mean "${best}"?)` : '';
}

const own = (record: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(record, key);

/**
 * Resolves the node configuration from flags, environment and config file (pure: no I/O).
 * Never throws; returns every problem at once as a {@link ConfigError}.
 */
export function resolveConfig(inputs: ConfigInputs): ResolvedConfig | ConfigError {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const fileName = inputs.fileName ?? '<config>';
  const env = inputs.env;
  const flags = inputs.flags;

  // The file: a JSON object with known keys only.
  let file: Record<string, unknown> = {};
  if (inputs.file !== undefined) {
    if (isPlainObject(inputs.file)) {
      file = inputs.file;
      for (const name of Object.keys(file)) {
        if (!own(SETTINGS, name)) {
          issues.push({
            key: name,
            source: { kind: 'file', path: fileName },
            message: `unknown key "${name}" in file ${fileName}${suggest(name, SETTING_KEYS)}`,
          });
        }
      }
    } else {
      issues.push({
        key: 'config',
        source: { kind: 'file', path: fileName },
        message: `invalid config file ${fileName}: expected a JSON object, got ${showRaw(inputs.file, false)}`,
      });
    }
  }

  // The key must never come from the command line: it would show in `ps` and shell history.
  for (const name of Object.keys(flags)) {
    if (name === 'config') continue;
    if (name === 'key' || name === 'keyFile') {
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

  // Unknown ELEVATOR_* variables are likely typos, but other tools may share the prefix: warn.
  const knownEnv = new Set<string>([...SETTING_KEYS.map((k) => SETTINGS[k].env), ...EXTRA_ENV]);
  for (const name of Object.keys(env)) {
    if (name.startsWith('ELEVATOR_') && !knownEnv.has(name)) {
      warnings.push(`unknown environment variable ${name} ignored${suggest(name, [...knownEnv])}`);
    }
  }

  /** Picks the winning raw value of a setting, or undefined. */
  const pick = (key: SettingKey): { raw: unknown; source: ConfigSource } | undefined => {
    const spec = SETTINGS[key];
    if (spec.flag !== undefined && own(flags, key) && flags[key] !== undefined) {
      return { raw: flags[key], source: { kind: 'flag', flag: spec.flag } };
    }
    if (key === 'key') {
      const direct = env.ELEVATOR_KEY;
      const viaFile = env.ELEVATOR_KEY_FILE;
      if (direct !== undefined && viaFile !== undefined) {
        issues.push({
          key,
          source: { kind: 'env', variable: 'ELEVATOR_KEY' },
          message:
            'invalid key: both ELEVATOR_KEY and ELEVATOR_KEY_FILE are set in the environment; set only one',
        });
        return undefined;
      }
      if (viaFile !== undefined) {
        const source: ConfigSource = { kind: 'env', variable: 'ELEVATOR_KEY_FILE' };
        if (inputs.keyFileText === undefined) {
          issues.push({
            key,
            source,
            message: `invalid key: the file ${showRaw(viaFile, false)} named by environment ELEVATOR_KEY_FILE was not read`,
          });
          return undefined;
        }
        // Editors and `echo` add a final newline that is not part of the key.
        return { raw: inputs.keyFileText.replace(/[\r\n]+$/, ''), source };
      }
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
  };

  const values: Partial<Record<SettingKey, unknown>> = {};
  const sources: Partial<Record<SettingKey, ConfigSource>> = {};
  let id: string | undefined;

  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key] as SettingSpec<unknown>;
    const picked = pick(key);
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
    const { raw, source } = picked;
    sources[key] = source;
    let candidate: unknown = raw;
    // Env and flag values are text: integers must be plain decimal digits ('12abc', '', '-1',
    // '1e3' and ' 7' are all rejected rather than half-parsed).
    const isText = source.kind === 'flag' || source.kind === 'env';
    if (spec.integer && isText && typeof raw === 'string') {
      candidate = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : Symbol('not-an-integer');
    }
    const parsed = spec.schema.safeParse(candidate);
    if (parsed.success) {
      values[key] = parsed.data;
      if (key === 'id') id = parsed.data as string;
    } else {
      const where = describeSource(source);
      issues.push({
        key,
        source,
        message: `invalid ${key}: ${showRaw(raw, spec.secret)} from ${where}: expected ${spec.expected}`,
      });
    }
  }

  // Cross-setting rules: a peer that broadcasts less often than the timeout would flap.
  const interval = values.broadcastIntervalMs;
  const timeout = values.peerTimeoutMs;
  if (typeof interval === 'number' && typeof timeout === 'number' && interval >= timeout) {
    issues.push({
      key: 'broadcastIntervalMs',
      source: sources.broadcastIntervalMs,
      message:
        `invalid broadcastIntervalMs: ${interval} from ${describeSource(sources.broadcastIntervalMs!)} ` +
        `must be less than peerTimeoutMs ${timeout} from ${describeSource(sources.peerTimeoutMs!)}`,
    });
  }

  if (issues.length > 0) return new ConfigError(issues);
  return {
    config: values as unknown as NodeConfig,
    sources: sources as ConfigSources,
    warnings,
  };
}
