/**
 * Configuration of one controller node (`elevator-mesh node`): what a resolved configuration is,
 * where each value came from, and what is wrong with a bad one.
 *
 * Every setting can come from four places; the first that has it wins:
 * command-line flag > environment variable (`ELEVATOR_*`) > JSON config file > built-in default.
 * The files by concept:
 * - `config-settings.ts`: the table of settings (flag, variable, default, validation, display);
 * - `resolve-config.ts`: {@link ConfigInputs} -> {@link ResolvedConfig} or {@link ConfigError}, a
 *   pure function; `config-suggestions.ts` says "did you mean" for unknown names;
 * - `load-node-config.ts`: the thin shell that reads the files;
 * - `config-options.ts`: the command-line options and `config --print`.
 *
 * Untrusted text is parsed once into a typed {@link NodeConfig} or a {@link ConfigError} whose
 * message names each bad key, the rejected value and where that value came from.
 */
import type { HostPort } from './host-port.js';

export type { HostPort } from './host-port.js';

/** Levels understood by pino (and `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a node does with hall calls while it sees no peer (it cannot replicate them). */
export const ALONE_HALL_CALLS = ['accept', 'refuse'] as const;
export type AloneHallCalls = (typeof ALONE_HALL_CALLS)[number];

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

/** Bad configuration. Returned (not thrown) by `resolveConfig`; `code` is stable. */
export class ConfigError extends Error {
  readonly code = 'invalid-config' as const;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((i) => i.message).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** The inputs to `resolveConfig`; all of them untrusted. */
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

/** A copy of the config safe to log or print: the key replaced by `<redacted>`. */
export function redactConfig(config: NodeConfig): Omit<NodeConfig, 'key'> & { key?: string } {
  const { key, ...rest } = config;
  return key === undefined ? rest : { ...rest, key: '<redacted>' };
}
