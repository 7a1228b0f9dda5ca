/**
 * The table of settings of a node: one row per setting, the single definition shared by the
 * resolver (`resolve-config.ts`), the commander options and `config --print`.
 */
import { z } from 'zod';
import {
  DEFAULT_DISPATCH,
  DISPATCH_NAMES_HELP,
  isDispatchName,
} from '../core/assigner/dispatch.js';
import { CONTROLLER_DEFAULTS } from '../core/timings.js';
import { DEFAULT_PORTS } from '../core/ports.js';
import { formatHostPort, parseHostPort } from './host-port.js';
import { ALONE_HALL_CALLS, LOG_LEVELS } from './node-config.js';
import type { AloneHallCalls, LogLevel, NodeConfig, SettingKey } from './node-config.js';

/** One setting: where it comes from, what it accepts, its default and how it is shown. */
export interface SettingSpec<V> {
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
const MIN_KEY_LENGTH = 16;

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
    `dispatch strategy: hall-call assigner, "+park" for idle-car parking, "+idle" for parking after idling, "+park<N>s" for parking after N s idle (${DISPATCH_NAMES_HELP})`,
    `one of ${DISPATCH_NAMES_HELP}`,
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
