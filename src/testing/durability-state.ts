/**
 * The states written by the durability test's child process: state `n` is fully determined by
 * `n`, so the test can tell exactly which write a state file holds, and whether it is whole.
 */
import type { PersistedState } from '../core/controller.js';
import type { WireRegister } from '../core/view-message.js';

/** State number `n`: epoch `n`; cab call at floor f lit when bit f of `n` is set (else served). */
export function durabilityState(n: number, floors: number): PersistedState {
  const lit = (f: number): boolean => Math.floor(n / 2 ** f) % 2 === 1;
  const cab: WireRegister[] = Array.from({ length: floors }, (_, f) =>
    lit(f) ? [['a', n, n, n - 1]] : [['a', n]],
  );
  // Some bulk, so a write is more than one page and a torn one would show.
  const hall: [WireRegister, WireRegister][] = Array.from({ length: floors }, (_, f) => [
    Array.from({ length: 8 }, (_, i): WireRegister[number] => [`peer${i}`, n + f, n, n]),
    Array.from({ length: 8 }, (_, i): WireRegister[number] => [`peer${i}`, n, n, n]),
  ]);
  return { epoch: n, cab, hall };
}
