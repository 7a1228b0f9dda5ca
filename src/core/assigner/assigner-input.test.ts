import { describe, expect, it } from 'vitest';
import { parseAssignerInput, parseAssignerJson } from './assigner-input.js';

const valid = {
  hallRequests: [
    [false, false],
    [true, false],
    [false, true],
  ],
  states: {
    a: { behaviour: 'moving', floor: 1, direction: 'up', cabRequests: [false, false, true] },
    b: { behaviour: 'doorOpen', floor: 0, direction: 'stop', cabRequests: [false, false, false] },
  },
};

function issuesOf(raw: unknown): readonly string[] {
  const r = parseAssignerInput(raw);
  if (r.ok) throw new Error('expected a rejection');
  expect(r.error.code).toBe('assigner-input-invalid');
  return r.error.issues;
}

describe('parseAssignerInput', () => {
  it('accepts the reference format and types it', () => {
    const r = parseAssignerInput(valid);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.states['a']?.behaviour).toBe('moving');
  });

  it('rejects wrong shapes with the path of the problem', () => {
    expect(issuesOf({ ...valid, hallRequests: [[true]] }).join()).toMatch(/hallRequests\.0/);
    const badBehaviour = { ...valid, states: { a: { ...valid.states.a, behaviour: 'flying' } } };
    expect(issuesOf(badBehaviour).join()).toMatch(/states\.a\.behaviour/);
    const badFloor = { ...valid, states: { a: { ...valid.states.a, floor: 1.5 } } };
    expect(issuesOf(badFloor).join()).toMatch(/states\.a\.floor/);
    expect(issuesOf(null).join()).toMatch(/\(root\)/);
  });

  it("enforces the reference's preconditions", () => {
    expect(issuesOf({ ...valid, states: {} }).join()).toMatch(/no elevator states/);
    const shortCab = { ...valid, states: { a: { ...valid.states.a, cabRequests: [true] } } };
    expect(issuesOf(shortCab).join()).toMatch(/states\.a\.cabRequests: has 1 floors/);
    const offTop = { ...valid, states: { b: { ...valid.states.b, floor: 3 } } };
    expect(issuesOf(offTop).join()).toMatch(/states\.b\.floor: floor 3 is outside 0\.\.2/);
    const leaving = { ...valid, states: { a: { ...valid.states.a, floor: 2 } } };
    expect(issuesOf(leaving).join()).toMatch(/moving up from floor 2 leaves the building/);
    const leavingDown = {
      ...valid,
      states: { a: { ...valid.states.a, floor: 0, direction: 'down' } },
    };
    expect(issuesOf(leavingDown).join()).toMatch(/moving down from floor 0/);
  });

  it('lets an idle car at an end floor have any direction', () => {
    const idleTop = { ...valid, states: { a: { ...valid.states.a, behaviour: 'idle', floor: 2 } } };
    expect(parseAssignerInput(idleTop).ok).toBe(true);
  });
});

describe('parseAssignerJson', () => {
  it('reports text that is not JSON with its own code', () => {
    const r = parseAssignerJson('{"hallRequests": [');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('assigner-input-not-json');
  });
  it('parses valid JSON text', () => {
    expect(parseAssignerJson(JSON.stringify(valid)).ok).toBe(true);
  });
});
