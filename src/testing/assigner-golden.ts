/**
 * The golden cases of the reference hall-call assigner (`assigner-golden.jsonl` in the shared
 * fixtures), located from the repository wherever it is checked out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReferenceAssignOptions } from '../core/assigner/index.js';

/** One golden case: the reference's command-line options, its input and its output. */
export interface GoldenCase {
  options: string[];
  input: unknown;
  output: unknown;
}

const FIXTURE = 'fixtures/assigner-golden.jsonl';

/** The fixture's path: `<repo>/../shared`, `<repo>/shared`, or `/work/shared`. */
export function goldenFixturePath(): string {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const candidates = [
    `${repo}../shared/${FIXTURE}`,
    `${repo}../../shared/${FIXTURE}`,
    `${repo}shared/${FIXTURE}`,
    `/work/shared/${FIXTURE}`,
  ];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(`assigner golden fixture not found; looked in:\n  ${candidates.join('\n  ')}`);
  }
  return found;
}

/** All golden cases, in file order. */
export function loadGoldenCases(): GoldenCase[] {
  return readFileSync(goldenFixturePath(), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenCase);
}

/** The reference's command-line options as `referenceAssign` options. */
export function optionsFromArgs(args: readonly string[]): ReferenceAssignOptions {
  const options: ReferenceAssignOptions = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (flag === '--includeCab') {
      options.includeCab = true;
      continue;
    }
    i++;
    if (flag === '--travelDuration') options.travelDuration = Number(value);
    else if (flag === '--doorOpenDuration') options.doorOpenDuration = Number(value);
    else if (flag === '--clearRequestType' && (value === 'all' || value === 'inDirn'))
      options.clearRequestType = value;
    else throw new Error(`unknown golden option ${String(flag)} ${String(value)}`);
  }
  return options;
}
