import { describe, expect, it } from 'vitest';
import { parseAssignerInput, referenceAssign } from '../src/core/assigner/index.js';
import { loadGoldenCases, optionsFromArgs } from '../src/testing/assigner-golden.js';

const cases = loadGoldenCases();

describe('reference assigner against the 200 golden cases', () => {
  it('has all the cases', () => {
    expect(cases).toHaveLength(200);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const parsed = parseAssignerInput(c.input);
    if (!parsed.ok) throw parsed.error;
    expect(referenceAssign(parsed.value, optionsFromArgs(c.options))).toEqual(c.output);
  });
});
