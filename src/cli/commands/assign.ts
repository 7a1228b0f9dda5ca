/**
 * `elevator-mesh assign`: a drop-in for the reference `hall_request_assigner`. Reads its input JSON
 * on stdin (or `--input`), writes the assignment JSON on stdout. Bad input: a message on stderr and
 * exit code 2.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import {
  ASSIGNER_NAMES,
  DEFAULT_ASSIGNER,
  DEFAULT_REFERENCE_OPTIONS,
  createAssigner,
  parseAssignerJson,
  withCabColumn,
} from '../../core/assigner/index.js';
import type { ClearRequestType } from '../../core/assigner/index.js';

interface AssignOptions {
  travelDuration: number;
  doorOpenDuration: number;
  clearRequestType: ClearRequestType;
  includeCab?: true;
  assigner: string;
  input?: string;
}

function milliseconds(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a whole number of milliseconds');
  }
  return Number(value);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Registers the `assign` subcommand. */
export function register(program: Command): void {
  program
    .command('assign')
    .description('assign hall calls to elevators (reference hall_request_assigner JSON in and out)')
    .addOption(
      new Option('--travelDuration <ms>', 'travel time between two floors, in ms')
        .argParser(milliseconds)
        .default(DEFAULT_REFERENCE_OPTIONS.travelDuration),
    )
    .addOption(
      new Option('--doorOpenDuration <ms>', 'door open time, in ms')
        .argParser(milliseconds)
        .default(DEFAULT_REFERENCE_OPTIONS.doorOpenDuration),
    )
    .addOption(
      new Option('--clearRequestType <type>', 'calls a stop clears: all, or only those inDirn')
        .choices(['all', 'inDirn'])
        .default(DEFAULT_REFERENCE_OPTIONS.clearRequestType),
    )
    .option('--includeCab', "include each car's cab calls as a third column: [up, down, cab]")
    .addOption(
      new Option('--assigner <name>', 'which assigner to run')
        .choices(ASSIGNER_NAMES)
        .default(DEFAULT_ASSIGNER),
    )
    .option('-i, --input <json>', 'the input JSON (default: read stdin)')
    .action(async (options: AssignOptions) => {
      const text = options.input ?? (await readStdin());
      const parsed = parseAssignerJson(text);
      if (!parsed.ok) {
        process.stderr.write(`elevator-mesh assign: ${parsed.error.code}\n`);
        for (const issue of parsed.error.issues) process.stderr.write(`  ${issue}\n`);
        process.exitCode = 2;
        return;
      }
      const assign = createAssigner(options.assigner, {
        travelDuration: options.travelDuration,
        doorOpenDuration: options.doorOpenDuration,
        clearRequestType: options.clearRequestType,
      });
      const output = assign(parsed.value);
      const shown = options.includeCab === true ? withCabColumn(output, parsed.value) : output;
      process.stdout.write(`${JSON.stringify(shown)}\n`);
    });
}
