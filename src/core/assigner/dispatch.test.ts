import { describe, expect, it } from 'vitest';
import {
  baseAssignerName,
  createDispatch,
  DISPATCH_NAMES,
  isDispatchName,
  parkAfterSeconds,
  UnknownDispatchError,
} from './dispatch.js';
import { parkingFloor } from './parking-policy.js';

describe('dispatch strategy names', () => {
  it('every listed name is a strategy, and its assigner is the part before the suffix', () => {
    for (const name of DISPATCH_NAMES) expect(isDispatchName(name), name).toBe(true);
    expect(baseAssignerName('mesh+idle')).toBe('mesh');
    expect(baseAssignerName('reference+park')).toBe('reference');
  });

  it('+park<N>s: N seconds from 1 to 3600, the assigner before it', () => {
    expect(parkAfterSeconds('mesh+park30s')).toBe(30);
    expect(parkAfterSeconds('reference+park1s')).toBe(1);
    expect(parkAfterSeconds('mesh+park3600s')).toBe(3600);
    expect(baseAssignerName('mesh+park30s')).toBe('mesh');
    expect(isDispatchName('nearest-car+park120s')).toBe(true);
    for (const bad of ['mesh+park0s', 'mesh+park3601s', 'mesh+park30', 'mesh+park1.5s'])
      expect(parkAfterSeconds(bad), bad).toBeNull();
    for (const bad of [
      'mesh+park0s',
      'mesh+park3601s',
      'mesh+park030s',
      'mesh+park30',
      'mesh+park-5s',
      'mesh+park1.5s',
      'mesh+idle+park30s',
      'nobody+park30s',
    ]) {
      expect(isDispatchName(bad), bad).toBe(false);
      expect(() => createDispatch(bad), bad).toThrow(UnknownDispatchError);
    }
  });

  it('+park<N>s parks like +park, the lobby at once and every other home after N s of idling', () => {
    const d = createDispatch('mesh+park30s');
    expect(d.park).toBe(parkingFloor);
    expect(d.parkTiming).toEqual({ parkDelayMs: 30_000, parkAtOnceFloors: [0] });
    expect(createDispatch('mesh+park').parkTiming).toBeUndefined();
  });
});
