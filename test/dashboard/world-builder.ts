/**
 * Builds valid {@link WorldMessage}s for dashboard tests, with calls in a chosen phase made by the
 * real call-register operations (so the monitor decodes exactly what a node would send).
 */
import {
  EMPTY_REGISTER,
  confirmRegister,
  pressRegister,
  serveRegister,
  type CallRegister,
} from '../../src/core/call-register.js';
import {
  registerToWire,
  type ElevatorReport,
  type WireRegister,
  type WorldMessage,
} from '../../src/core/view-message.js';

/** A call's phase as a test sets it; `served` = confirmed, then served. */
export type TestPhase = 'none' | 'unconfirmed' | 'confirmed' | 'served';

/** A register in `phase`, pressed at `origin` with instance number above `epoch`. */
export function registerIn(
  phase: TestPhase,
  origin = 'A',
  epoch = 100,
  witnesses: string[] = [],
): CallRegister {
  if (phase === 'none') return EMPTY_REGISTER;
  let reg = pressRegister(EMPTY_REGISTER, origin, epoch);
  if (phase === 'unconfirmed') {
    for (const w of witnesses) {
      const m = reg[origin];
      if (m !== undefined)
        reg = { ...reg, [origin]: { ...m, seen: [...new Set([...m.seen, w])].sort() } };
    }
    return reg;
  }
  reg = confirmRegister(reg, origin);
  return phase === 'served' ? serveRegister(reg) : reg;
}

export const IDLE_AT = (floor: number): ElevatorReport => ({
  behaviour: 'idle',
  floor,
  direction: 'stop',
  available: true,
  motorFailed: false,
  obstructed: false,
  connected: true,
});

/** Options of {@link world}. */
export interface WorldSpec {
  floors?: number;
  elevator?: Partial<ElevatorReport>;
  /** Hall calls: `{ "2:up": "confirmed" }`. */
  hall?: Record<string, TestPhase | CallRegister>;
  /** Cab calls: `{ A: { 3: "confirmed" } }`. */
  cab?: Record<string, Record<number, TestPhase | CallRegister>>;
  alive?: string[];
}

function wire(x: TestPhase | CallRegister): WireRegister {
  return registerToWire(typeof x === 'string' ? registerIn(x) : x);
}

/** A whole-view message as a node would broadcast it. */
export function world(spec: WorldSpec = {}): WorldMessage {
  const floors = spec.floors ?? 4;
  const hall: [WireRegister, WireRegister][] = Array.from({ length: floors }, () => [[], []]);
  for (const [key, phase] of Object.entries(spec.hall ?? {})) {
    const [f, dir] = key.split(':');
    const row = hall[Number(f)];
    if (row === undefined) throw new Error(`bad hall key ${key}`);
    row[dir === 'up' ? 0 : 1] = wire(phase);
  }
  const cab: Record<string, WireRegister[]> = {};
  for (const [id, calls] of Object.entries(spec.cab ?? {})) {
    cab[id] = Array.from({ length: floors }, (_, f) => {
      const c = calls[f];
      return c === undefined ? [] : wire(c);
    });
  }
  return {
    floors,
    hall,
    cab,
    elevator: { ...IDLE_AT(0), ...spec.elevator },
    alive: spec.alive ?? [],
  };
}
