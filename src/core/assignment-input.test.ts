import { describe, expect, it } from 'vitest';
import { anyHallCall, assignmentInput, type AssignmentCandidate } from './assignment-input.js';
import type { HallMatrix } from './types.js';

const hall: HallMatrix = [
  [false, false],
  [true, false],
  [false, false],
];

function car(id: string, over: Partial<AssignmentCandidate> = {}): AssignmentCandidate {
  return {
    id,
    behaviour: 'idle',
    floor: 0,
    direction: 'stop',
    available: true,
    cabRequests: [false, false, false],
    ...over,
  };
}

describe('assignmentInput', () => {
  it('lists the available cars in the given order, with their cab calls', () => {
    const input = assignmentInput(hall, [
      car('b', { floor: 2, cabRequests: [true, false, false] }),
      car('a', { floor: 1, behaviour: 'moving', direction: 'up' }),
    ]);
    expect(Object.keys(input.states)).toEqual(['b', 'a']);
    expect(input.states['b']).toEqual({
      behaviour: 'idle',
      floor: 2,
      direction: 'stop',
      cabRequests: [true, false, false],
    });
    expect(input.states['a']?.behaviour).toBe('moving');
    expect(input.hallRequests).toBe(hall);
  });

  it('leaves out unavailable cars while any car is available', () => {
    const input = assignmentInput(hall, [car('a', { available: false }), car('b')]);
    expect(Object.keys(input.states)).toEqual(['b']);
  });

  it('keeps the calls with the usable cars when none is available', () => {
    const input = assignmentInput(hall, [
      car('a', { available: false }),
      car('b', { available: false, floor: null }),
      car('c', { available: false, floor: 1 }),
    ]);
    expect(Object.keys(input.states)).toEqual(['a', 'c']);
  });

  it('never lists a car that does not know its floor or is outside the building', () => {
    const input = assignmentInput(hall, [car('a', { floor: null }), car('b', { floor: 3 })]);
    expect(input.states).toEqual({});
  });

  it('counts a car in init as moving down', () => {
    const input = assignmentInput(hall, [car('a', { behaviour: 'init', direction: 'stop' })]);
    expect(input.states['a']).toMatchObject({ behaviour: 'moving', direction: 'down' });
  });

  it('pads or trims cab calls to the building', () => {
    const input = assignmentInput(hall, [car('a', { cabRequests: [true] })]);
    expect(input.states['a']?.cabRequests).toEqual([true, false, false]);
  });

  it('anyHallCall tells whether a call is lit', () => {
    expect(anyHallCall(hall)).toBe(true);
    expect(anyHallCall([[false, false]])).toBe(false);
  });
});
