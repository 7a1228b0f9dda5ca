/**
 * The node's configuration as commander options, defined once from the settings table so the
 * `node` and `config` subcommands accept exactly the same flags.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { SETTINGS, SETTING_KEYS, describeDefault, showSetting } from './config-settings.js';
import { describeSource } from './node-config.js';
import type { ResolvedConfig } from './node-config.js';

const CONFIG_OPTION_NAMES = [
  'config',
  'key',
  ...SETTING_KEYS.filter((k) => SETTINGS[k].flag !== undefined),
];

/**
 * Adds `--config <file>` and one option per setting to `command`. No commander defaults are
 * set: the defaults live in the settings table, and only values typed on the command line may
 * count as the `flag` source. A hidden `--key` exists only to reject it with a clear message.
 */
export function addConfigOptions(command: Command): Command {
  command.addOption(new Option('--config <file>', 'JSON config file [env ELEVATOR_CONFIG]'));
  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key];
    if (spec.flag === undefined) continue;
    const fallback = describeDefault(key);
    const suffix = fallback === 'required' || fallback === 'none' ? '' : ` (default ${fallback})`;
    command.addOption(
      new Option(
        `${spec.flag} ${spec.valueName}`,
        `${spec.description} [env ${spec.env}]${suffix}`,
      ),
    );
  }
  // Optional value so that a bare `--key` also reaches the explanation instead of a usage error.
  command.addOption(new Option('--key [key]').hideHelp());
  return command;
}

/**
 * The configuration options given explicitly on the command line, keyed by camelCase setting
 * name (plus `config` and, to be rejected, `key`); the command's other options are left out. Uses commander's value source so that nothing else
 * (defaults, commander's own env handling) is mistaken for a flag.
 */
export function flagsFromCommand(command: Command): Record<string, unknown> {
  const opts = command.opts<Record<string, unknown>>();
  const flags: Record<string, unknown> = {};
  for (const name of CONFIG_OPTION_NAMES) {
    if (command.getOptionValueSource(name) === 'cli') flags[name] = opts[name];
  }
  return flags;
}

/** One line per setting: `name  value  (source)`; the key is always redacted. */
export function formatConfigReport(resolved: ResolvedConfig): string {
  const width = Math.max(...SETTING_KEYS.map((k) => k.length));
  return SETTING_KEYS.map((key) => {
    const source = resolved.sources[key];
    const label = source.kind === 'env' ? `env ${source.variable}` : describeSource(source);
    const value = showSetting(key, resolved.config[key]);
    return `${key.padEnd(width)}  ${value}  (${label})`;
  }).join('\n');
}
