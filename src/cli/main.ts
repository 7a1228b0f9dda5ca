/**
 * The one entry point: `elevator-mesh <subcommand>`. Each subcommand lives in its own file under
 * `src/cli/commands/` and registers itself on the program given to it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

/**
 * The package's version, from the nearest elevator-mesh package.json above this file (the
 * checkout's or the installed package's). A copy of the program outside any package (the tests'
 * transpiled children) says `unknown`.
 */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === 'elevator-mesh' && json.version !== undefined) return json.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
const version = packageVersion();

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
