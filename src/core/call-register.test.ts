import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  confirmRegister,
  joinRegisters,
  mergeRegister,
  phaseOf,
  pressRegister,
  seenByAll,
  serveRegister,
  type CallRegister,
} from './call-register.js';

const ids = ['a', 'b', 'c', 'd'];
const registerArb: fc.Arbitrary<CallRegister> = fc
  .record({ c: fc.nat(30), seen: fc.subarray(ids) })
  .map(({ c, seen }) => ({ c, seen: c % 3 === 1 ? [...seen].sort() : [] }));

/** Merge as seen by a neutral observer: the counter and witnesses, not who merged. */
const view = (r: CallRegister) => ({ c: r.c, seen: [...r.seen] });

describe('call register', () => {
  it('a press makes a call unconfirmed, witnessed by the presser; a live call ignores presses', () => {
    const r = pressRegister({ c: 0, seen: [] }, 'a');
    expect(phaseOf(r)).toBe('unconfirmed');
    expect(r.seen).toEqual(['a']);
    expect(pressRegister(r, 'b')).toBe(r);
    expect(pressRegister(confirmRegister(r), 'b').c).toBe(2);
  });

  it('the cycle none -> unconfirmed -> confirmed -> none only moves forward', () => {
    const r1 = pressRegister({ c: 0, seen: [] }, 'a');
    const r2 = confirmRegister(r1);
    const r3 = serveRegister(r2);
    expect([r1, r2, r3].map(phaseOf)).toEqual(['unconfirmed', 'confirmed', 'none']);
    expect(serveRegister(r1)).toBe(r1);
    expect(confirmRegister(r2)).toBe(r2);
    expect(pressRegister(r3, 'b').c).toBe(4);
  });

  it('a served call is never brought back by an older copy, and a newer press is never dropped', () => {
    const served = { c: 3, seen: [] };
    const oldConfirmed = { c: 2, seen: [] };
    expect(mergeRegister(served, oldConfirmed, 'a').c).toBe(3);
    expect(mergeRegister(oldConfirmed, served, 'a').c).toBe(3);
    const newPress = { c: 4, seen: ['b'] };
    expect(phaseOf(mergeRegister(served, newPress, 'a'))).toBe('unconfirmed');
  });

  it('equal counters pool their witnesses, and the merging node joins them', () => {
    const m = mergeRegister({ c: 1, seen: ['a'] }, { c: 1, seen: ['c'] }, 'b');
    expect(m.seen).toEqual(['a', 'b', 'c']);
    expect(seenByAll(m, ['a', 'b', 'c'])).toBe(true);
    expect(seenByAll(m, ['a', 'd'])).toBe(false);
  });

  it('the join is commutative, associative and idempotent on counters and witnesses (property)', () => {
    fc.assert(
      fc.property(registerArb, registerArb, registerArb, (a, b, c) => {
        const ab = joinRegisters(a, b);
        expect(view(ab)).toEqual(view(joinRegisters(b, a)));
        expect(view(joinRegisters(ab, c))).toEqual(view(joinRegisters(a, joinRegisters(b, c))));
        expect(view(joinRegisters(ab, ab))).toEqual(view(ab));
        expect(ab.c).toBe(Math.max(a.c, b.c));
        // A node's merge is the join plus itself as a witness of what it holds.
        const m = mergeRegister(a, b, 'z');
        expect(m.c).toBe(ab.c);
        if (m.c > a.c && m.c % 3 === 1) expect(m.seen).toContain('z');
      }),
    );
  });
});
