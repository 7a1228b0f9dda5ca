/**
 * The one entry point: `elevator-mesh <subcommand>`. Each subcommand lives in its own file under
 * `src/cli/commands/` and registers itself on the program given to it.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** The package's version, from its package.json (two levels above `src/cli/` and `dist/cli/`). */
const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command();
program
  .name('elevator-mesh')
  .description('A distributed, masterless elevator controller and its tools.')
  .version(version)
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's own exits (help, version) keep their code; usage errors exit 2.
    process.exit(
      err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2,
    );
  });

(await import('./commands/assign.js')).register(program);
(await import('./commands/sim.js')).register(program);
(await import('./commands/config.js')).register(program);
(await import('./commands/acceptance.js')).register(program);
(await import('./commands/node.js')).register(program);
(await import('./commands/demo.js')).register(program);
(await import('./commands/monitor.js')).register(program);

(await import('./commands/bench.js')).register(program);
await program.parseAsync(process.argv);
