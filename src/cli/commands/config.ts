/**
 * `elevator-mesh config`: resolves the node configuration exactly as `elevator-mesh node` would
 * (same options, environment and file) and reports it, so a deployment can be checked before
 * it is started. Bad configuration: the error on stderr and exit code 2.
 */
import type { Command } from 'commander';
import {
  addConfigOptions,
  flagsFromCommand,
  formatConfigReport,
} from '../../node/config-options.js';
import { loadConfig } from '../../node/load-node-config.js';
import { ConfigError, redactConfig } from '../../node/node-config.js';

/** Registers the `config` subcommand on the program. */
export function register(program: Command): void {
  const command = program
    .command('config')
    .description(
      'check the node configuration (flags > ELEVATOR_* environment > config file > defaults)',
    )
    .option('--print', 'print each effective value and where it came from')
    .option('--json', 'print the effective configuration and sources as JSON');
  addConfigOptions(command);
  command.action(() => {
    const opts = command.opts<{ print?: boolean; json?: boolean }>();
    const result = loadConfig({ flags: flagsFromCommand(command), env: process.env });
    if (result instanceof ConfigError) {
      process.stderr.write(`elevator-mesh: invalid configuration\n${result.message}\n`);
      process.exitCode = 2;
      return;
    }
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    if (opts.json === true) {
      const out = { config: redactConfig(result.config), sources: result.sources };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (opts.print === true) {
      process.stdout.write(`${formatConfigReport(result)}\n`);
    } else {
      process.stdout.write(`configuration of node ${result.config.id} is valid\n`);
    }
  });
}
