import { describe, expect, it } from 'vitest';
import { BUTTON_TYPES, buttonIndex, emptyHall, emptyRequests, hallIndex } from './types.js';

describe('types', () => {
  it('button indices follow the protocol order', () => {
    BUTTON_TYPES.forEach((b, i) => expect(buttonIndex(b)).toBe(i));
    expect(hallIndex('hallUp')).toBe(0);
    expect(hallIndex('hallDown')).toBe(1);
  });
  it('empty matrices have one independent row per floor', () => {
    const r = emptyRequests(3);
    r[0]![2] = true;
    expect(r[1]![2]).toBe(false);
    expect(emptyHall(5)).toHaveLength(5);
  });
});
