/**
 * The order of elevator ids used for every tie: ids compare as strings, code point by code point
 * (the reference compares UTF-8 bytes, which orders the same way). So "10" sorts before "9".
 */

/** Maps a UTF-16 code unit so that unit order matches code point order. */
function codePointOrderKey(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Negative when `a` comes first, positive when `b` does, 0 when equal. */
export function compareElevatorIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ua = a.charCodeAt(i);
    const ub = b.charCodeAt(i);
    if (ua !== ub) return codePointOrderKey(ua) - codePointOrderKey(ub);
  }
  return a.length - b.length;
}

/** The ids sorted in tie-breaking order (a new array). */
export function sortedElevatorIds(ids: Iterable<string>): string[] {
  return [...ids].sort(compareElevatorIds);
}
