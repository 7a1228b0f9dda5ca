/**
 * `elevator-mesh --help` and `--version`: every subcommand's description in one style (a
 * lower-case fragment, like commander's own "display help for command", no closing period), and
 * the version is the package's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('elevator-mesh --help', () => {
  it('describes every subcommand in one style', () => {
    const help = cli(['--help']);
    const commands = help.slice(help.indexOf('Commands:') + 'Commands:'.length).split('\n');
    // An entry starts at two spaces of indent; its wrapped lines are indented further.
    const entries: { name: string; text: string }[] = [];
    for (const line of commands) {
      const start = /^ {2}(\S+)(?: \S+)*? {2,}(\S.*)$/.exec(line);
      if (start?.[1] !== undefined && start[2] !== undefined)
        entries.push({ name: start[1], text: start[2] });
      else if (/^ {4,}\S/.test(line) && entries.length > 0) {
        const last = entries[entries.length - 1];
        if (last !== undefined) last.text += ` ${line.trim()}`;
      }
    }
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['node', 'sim', 'monitor', 'demo', 'acceptance', 'help']),
    );
    for (const { name, text } of entries) {
      expect(text, name).toMatch(/^[a-z]/);
      expect(text, name).not.toMatch(/\.$/);
    }
  });

  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync(`${repo}/package.json`, 'utf8')) as {
      version: string;
    };
    expect(cli(['--version']).trim()).toBe(version);
  });
});
