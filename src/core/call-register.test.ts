import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_REGISTER,
  confirmRegister,
  isLit,
  joinRegisters,
  mergeRegister,
  pendingOrigins,
  phaseOf,
  pressRegister,
  seenByAll,
  serveRegister,
  type CallRegister,
} from './call-register.js';

const ids = ['a', 'b', 'c'];

/** Random registers as real histories produce them: sequences of presses, confirms, serves and merges. */
const historyArb = fc.array(
  fc.tuple(fc.constantFrom('press', 'confirm', 'serve'), fc.constantFrom(...ids), fc.nat(5)),
  { maxLength: 8 },
);
function play(history: [string, string, number][]): CallRegister {
  let r: CallRegister = EMPTY_REGISTER;
  for (const [op, who, epoch] of history) {
    if (op === 'press') r = pressRegister(r, who, epoch * 10);
    else if (op === 'confirm') for (const o of pendingOrigins(r)) r = confirmRegister(r, o);
    else r = serveRegister(r);
  }
  return r;
}
const registerArb = historyArb.map(play);

describe('call register', () => {
  it('a press makes a call unconfirmed, witnessed by the presser; a live call absorbs presses', () => {
    const r = pressRegister(EMPTY_REGISTER, 'a', 100);
    expect(phaseOf(r)).toBe('unconfirmed');
    expect(r['a']).toEqual({ p: 101, k: 0, s: 0, seen: ['a'] });
    expect(pressRegister(r, 'b', 0)).toBe(r);
    const lit = confirmRegister(r, 'a');
    expect(isLit(lit)).toBe(true);
    expect(pressRegister(lit, 'b', 0)).toBe(lit);
  });

  it('the cycle none -> unconfirmed -> confirmed -> none only moves forward', () => {
    const r1 = pressRegister(EMPTY_REGISTER, 'a', 0);
    const r2 = confirmRegister(r1, 'a');
    const r3 = serveRegister(r2);
    expect([r1, r2, r3].map(phaseOf)).toEqual(['unconfirmed', 'confirmed', 'none']);
    expect(confirmRegister(r2, 'a')).toEqual(r2);
    const again = pressRegister(r3, 'a', 0);
    expect(again['a']?.p).toBe(2);
  });

  it('a served call is never brought back by an older copy', () => {
    const lit = confirmRegister(pressRegister(EMPTY_REGISTER, 'a', 0), 'a');
    const served = serveRegister(lit);
    expect(phaseOf(mergeRegister(served, lit, 'b'))).toBe('none');
    expect(phaseOf(mergeRegister(lit, served, 'b'))).toBe('none');
  });

  it('a press made elsewhere during a disconnect survives the merge with a service (failure case 8)', () => {
    const lit = confirmRegister(pressRegister(EMPTY_REGISTER, 'a', 0), 'a');
    // Side 1 serves the call; side 2 (b, cut off) serves it too, then someone presses again at b.
    const side1 = serveRegister(lit);
    const side2 = confirmRegister(pressRegister(serveRegister(lit), 'b', 50), 'b');
    expect(isLit(mergeRegister(side1, side2, 'a'))).toBe(true);
    expect(isLit(mergeRegister(side2, side1, 'b'))).toBe(true);
    // A restarted node with an empty disk presses with a newer epoch: not mistaken for an old instance.
    const old = serveRegister(confirmRegister(pressRegister(EMPTY_REGISTER, 'c', 0), 'c'));
    const fresh = pressRegister(EMPTY_REGISTER, 'c', 1000);
    expect(phaseOf(mergeRegister(fresh, old, 'c'))).toBe('unconfirmed');
  });

  it('a service clears every instance its node knew, and only those', () => {
    const twoPresses = joinRegisters(
      pressRegister(EMPTY_REGISTER, 'a', 0),
      pressRegister(EMPTY_REGISTER, 'b', 0),
    );
    expect(phaseOf(serveRegister(twoPresses))).toBe('none');
  });

  it('witnesses of the same pending instance are pooled, and the merging node joins them', () => {
    const r = pressRegister(EMPTY_REGISTER, 'a', 0);
    const atC = mergeRegister(EMPTY_REGISTER, r, 'c');
    const atB = mergeRegister(r, atC, 'b');
    expect(atB['a']?.seen).toEqual(['a', 'b', 'c']);
    expect(seenByAll(atB, 'a', ['a', 'b', 'c'])).toBe(true);
    expect(seenByAll(atB, 'a', ['a', 'd'])).toBe(false);
    expect(seenByAll(atB, 'b', ['a'])).toBe(false);
  });

  it('the join is commutative, associative and idempotent (property)', () => {
    fc.assert(
      fc.property(registerArb, registerArb, registerArb, (a, b, c) => {
        const ab = joinRegisters(a, b);
        expect(ab).toEqual(joinRegisters(b, a));
        expect(joinRegisters(ab, c)).toEqual(joinRegisters(a, joinRegisters(b, c)));
        expect(joinRegisters(ab, ab)).toEqual(ab);
        // A node's merge is the join, plus itself as a witness of what is pending.
        const m = mergeRegister(a, b, 'z');
        for (const o of pendingOrigins(m)) expect(m[o]?.seen).toContain('z');
        expect(phaseOf(m)).toBe(phaseOf(ab));
      }),
    );
  });
});
