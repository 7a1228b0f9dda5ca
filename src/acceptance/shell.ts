/**
 * Running the system tools the lab needs (`ip`, `iptables`), with errors that say which command
 * failed and what it printed.
 */
import { execFile } from 'node:child_process';

/** A system command that failed; `code` is stable. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code = 'command-failed' as const;
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`${command} failed: ${stderr.trim() || 'no output'}`);
  }
}

/** Runs `file args...` and resolves with its stdout; rejects with a {@link CommandError}. */
export function run(file: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new CommandError([file, ...args].join(' '), stderr || err.message));
      else resolve(stdout);
    });
  });
}
