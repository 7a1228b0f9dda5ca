/**
 * The thin shell around {@link resolveConfig}: finds and reads the JSON config file
 * (`--config <file>` or `ELEVATOR_CONFIG`) and the key file (`ELEVATOR_KEY_FILE`), then resolves.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './node-config.js';
import { resolveConfig } from './resolve-config.js';
import type { ConfigSource, ResolvedConfig } from './node-config.js';

export interface LoadConfigOptions {
  /** Flags given on the command line (see `flagsFromCommand`); may hold `config`. */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Injected for tests; defaults to reading UTF-8 from disk. */
  readonly readFile?: (path: string) => string;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined ? code : err.message;
  }
  return String(err);
}

function fail(key: string, source: ConfigSource, message: string): ConfigError {
  return new ConfigError([{ key, source, message }]);
}

/**
 * Reads the config file and the key file named by flags/environment, then resolves the
 * configuration. Never throws for bad input: unreadable or malformed files are a
 * {@link ConfigError} naming the file and where its name came from.
 */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig | ConfigError {
  const { flags, env } = options;
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  let fileName: string | undefined;
  let fileNameSource: ConfigSource | undefined;
  const flagPath = flags.config;
  if (flagPath !== undefined) {
    if (typeof flagPath !== 'string' || flagPath === '') {
      return fail(
        'config',
        { kind: 'flag', flag: '--config' },
        'invalid --config: expected a file path',
      );
    }
    fileName = flagPath;
    fileNameSource = { kind: 'flag', flag: '--config' };
  } else if (env.ELEVATOR_CONFIG !== undefined) {
    if (env.ELEVATOR_CONFIG === '') {
      return fail(
        'config',
        { kind: 'env', variable: 'ELEVATOR_CONFIG' },
        'invalid config: environment ELEVATOR_CONFIG is empty; expected a file path',
      );
    }
    fileName = env.ELEVATOR_CONFIG;
    fileNameSource = { kind: 'env', variable: 'ELEVATOR_CONFIG' };
  }

  let file: unknown;
  if (fileName !== undefined && fileNameSource !== undefined) {
    const where = fileNameSource.kind === 'flag' ? 'flag --config' : 'environment ELEVATOR_CONFIG';
    let text: string;
    try {
      text = read(fileName);
    } catch (err) {
      return fail(
        'config',
        fileNameSource,
        `cannot read config file ${fileName} (from ${where}): ${errorText(err)}`,
      );
    }
    try {
      file = JSON.parse(text);
    } catch (err) {
      return fail(
        'config',
        { kind: 'file', path: fileName },
        `config file ${fileName} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  let keyFileText: string | undefined;
  const keyFile = env.ELEVATOR_KEY_FILE;
  if (keyFile !== undefined && env.ELEVATOR_KEY === undefined) {
    try {
      keyFileText = read(keyFile);
    } catch (err) {
      return fail(
        'key',
        { kind: 'env', variable: 'ELEVATOR_KEY_FILE' },
        `cannot read key file ${keyFile} (from environment ELEVATOR_KEY_FILE): ${errorText(err)}`,
      );
    }
  }

  return resolveConfig({ flags, env, file, fileName, keyFileText });
}
