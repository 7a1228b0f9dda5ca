import { describe, expect, it } from 'vitest';
import { judge, parsePan, type Run } from '../../model/pan-output.js';

// pan's summaries, as spin 6.5 prints them (abridged to the lines the runner reads).
const clean = `(Spin Version 6.5.2 -- 6 December 2019)
Full statespace search for:
	assertion violations	+
State-vector 148 byte, depth reached 58, errors: 0
   930320 states, stored
  2798589 states, matched
  3728909 transitions (= stored+matched)
pan: elapsed time 16.8 seconds
`;
const violated = `pan:1: assertion violated ((litC<=servedC)||(emptied&&(aloneC&(1<<litC)))) (at depth 29)
pan: wrote mesh.pml.trail
State-vector 148 byte, depth reached 58, errors: 1
      512 states, stored
      100 states, matched
      612 transitions (= stored+matched)
`;
const truncated = `error: max search depth too small
State-vector 148 byte, depth reached 99, errors: 0
  1.2e+07 states, stored
  3e+07 transitions (= stored+matched)
`;

const real: Run = { name: 'real', defines: [], expect: 'clean', what: '' };
const mutant: Run = { name: 'mutant', defines: [], expect: 'counterexample', what: '' };

describe('pan output', () => {
  it('reads the figures of a clean run', () => {
    const r = parsePan(clean);
    expect(r).toMatchObject({ errors: 0, states: 930320, transitions: 3728909, depth: 58 });
    expect(judge(real, r).ok).toBe(true);
  });

  it('fails the real model on a violated assertion, and passes a mutant on it', () => {
    const r = parsePan(violated);
    expect(r.errors).toBe(1);
    expect(r.assertion).toBe('assertion violated ((litC<=servedC)||(emptied&&(aloneC&(1<<litC))))');
    expect(judge(real, r)).toMatchObject({ ok: false });
    expect(judge(mutant, r)).toMatchObject({ ok: true });
  });

  it('fails a mutant that is not rejected', () => {
    expect(judge(mutant, parsePan(clean))).toEqual({ ok: false, text: 'NOT REJECTED' });
  });

  it('fails a clean run whose search was cut short, and reads exponent counts', () => {
    const r = parsePan(truncated);
    expect(r.states).toBe(12_000_000);
    const v = judge(real, r);
    expect(v.ok).toBe(false);
    expect(v.text).toContain('depth');
  });

  it('passes a mutant rejected within a depth bound, but never a clean run searched within one', () => {
    const found = { ...parsePan(violated), depthBound: 12 };
    expect(judge(mutant, found).ok).toBe(true);
    // A bounded search that found nothing is not exhaustive, even when pan did not say so.
    const bounded = { ...parsePan(clean), depthBound: 12 };
    expect(judge(real, bounded)).toEqual({
      ok: false,
      text: 'NOT EXHAUSTIVE: search depth too small',
    });
    expect(judge(mutant, bounded).ok).toBe(false);
  });

  it('throws on text that is not a finished pan run', () => {
    expect(() => parsePan('gcc: error: pan.c: No such file')).toThrow(/pan output lacks/);
  });
});
