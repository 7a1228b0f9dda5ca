/**
 * Parsing untrusted assigner input (the reference assigner's JSON) into a typed `AssignerInput`,
 * with the same preconditions the reference asserts, reported as a typed error instead of a crash.
 */
import { z } from 'zod';
import type { AssignerInput } from './assigner-types.js';

const hallRow = z.tuple([z.boolean(), z.boolean()]);

const elevatorState = z.object({
  behaviour: z.enum(['idle', 'moving', 'doorOpen']),
  floor: z.int().min(0),
  direction: z.enum(['up', 'down', 'stop']),
  cabRequests: z.array(z.boolean()),
});

const DIRECTION_STEP = { up: 1, down: -1, stop: 0 } as const;

/** Zod schema of the reference assigner's input, including its cross-field preconditions. */
export const assignerInputSchema = z
  .object({
    hallRequests: z.array(hallRow),
    states: z.record(z.string(), elevatorState),
    hallRequestAges: z.array(z.tuple([z.number().min(0), z.number().min(0)])).optional(),
  })
  .superRefine((input, ctx) => {
    const floors = input.hallRequests.length;
    const ids = Object.keys(input.states);
    if (input.hallRequestAges !== undefined && input.hallRequestAges.length !== floors) {
      ctx.addIssue({
        code: 'custom',
        path: ['hallRequestAges'],
        message: `has ${input.hallRequestAges.length} floors but hallRequests has ${floors}`,
      });
    }
    if (ids.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['states'], message: 'no elevator states provided' });
    }
    for (const id of ids) {
      const s = input.states[id];
      if (s === undefined) continue;
      const path = ['states', id];
      if (s.cabRequests.length !== floors) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'cabRequests'],
          message: `has ${s.cabRequests.length} floors but hallRequests has ${floors}`,
        });
      }
      if (s.floor >= floors) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'floor'],
          message: `floor ${s.floor} is outside 0..${floors - 1}`,
        });
      } else if (s.behaviour === 'moving') {
        const next = s.floor + DIRECTION_STEP[s.direction];
        if (next < 0 || next >= floors) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'direction'],
            message: `moving ${s.direction} from floor ${s.floor} leaves the building`,
          });
        }
      }
    }
  });

/** Why assigner input was rejected. `code` is stable; `message` is for people. */
export class AssignerInputError extends Error {
  /** `assigner-input-not-json`: not parseable JSON; `assigner-input-invalid`: wrong shape or values. */
  readonly code: 'assigner-input-not-json' | 'assigner-input-invalid';
  /** One line per problem, `path: message`. */
  readonly issues: readonly string[];

  constructor(code: AssignerInputError['code'], issues: readonly string[]) {
    super(`invalid assigner input: ${issues.join('; ')}`);
    this.name = 'AssignerInputError';
    this.code = code;
    this.issues = issues;
  }
}

/** The result of parsing: a typed input or a typed error, never an exception. */
export type ParseResult =
  { ok: true; value: AssignerInput } | { ok: false; error: AssignerInputError };

/** Validates an already-decoded JSON value as assigner input. */
export function parseAssignerInput(raw: unknown): ParseResult {
  const result = assignerInputSchema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
  return { ok: false, error: new AssignerInputError('assigner-input-invalid', issues) };
}

/** Decodes and validates assigner input given as JSON text. */
export function parseAssignerJson(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, error: new AssignerInputError('assigner-input-not-json', [reason]) };
  }
  return parseAssignerInput(raw);
}
