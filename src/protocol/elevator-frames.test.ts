import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ElevatorCommand, ElevatorReply } from './elevator-frames.js';
import {
  FrameError,
  FrameSplitter,
  buttonExists,
  decodeCommand,
  decodeReply,
  encodeCommand,
  encodeReply,
  isFrameError,
  isReadCommand,
} from './elevator-frames.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('encodeCommand', () => {
  it('encodes every command as the protocol table says', () => {
    const cases: [ElevatorCommand, number[]][] = [
      [{ type: 'reload' }, [0, 0, 0, 0]],
      [{ type: 'motor', dir: 'up' }, [1, 1, 0, 0]],
      [{ type: 'motor', dir: 'down' }, [1, 255, 0, 0]],
      [{ type: 'motor', dir: 'stop' }, [1, 0, 0, 0]],
      [{ type: 'buttonLamp', button: 'hallUp', floor: 2, on: true }, [2, 0, 2, 1]],
      [{ type: 'buttonLamp', button: 'hallDown', floor: 3, on: false }, [2, 1, 3, 0]],
      [{ type: 'buttonLamp', button: 'cab', floor: 0, on: true }, [2, 2, 0, 1]],
      [{ type: 'floorIndicator', floor: 3 }, [3, 3, 0, 0]],
      [{ type: 'doorLamp', on: true }, [4, 1, 0, 0]],
      [{ type: 'stopLamp', on: false }, [5, 0, 0, 0]],
      [{ type: 'readButton', button: 'cab', floor: 1 }, [6, 2, 1, 0]],
      [{ type: 'readFloor' }, [7, 0, 0, 0]],
      [{ type: 'readStop' }, [8, 0, 0, 0]],
      [{ type: 'readObstruction' }, [9, 0, 0, 0]],
    ];
    for (const [cmd, frame] of cases) {
      expect(Array.from(encodeCommand(cmd, 4)), cmd.type).toEqual(frame);
      expect(decodeCommand(bytes(...frame), 4)).toEqual(cmd);
    }
  });

  it('refuses to encode a floor outside the building (it would hang the reference simulator)', () => {
    expect(() => encodeCommand({ type: 'floorIndicator', floor: 4 }, 4)).toThrow(FrameError);
    expect(() => encodeCommand({ type: 'readButton', button: 'cab', floor: -1 })).toThrow(
      /out of range/,
    );
    expect(() =>
      encodeCommand({ type: 'buttonLamp', button: 'cab', floor: 1.5, on: true }),
    ).toThrow(FrameError);
    expect(() => encodeCommand({ type: 'floorIndicator', floor: 256 })).toThrow(FrameError);
    // Without a floor count, any byte-sized floor is accepted.
    expect(Array.from(encodeCommand({ type: 'floorIndicator', floor: 200 }))).toEqual([
      3, 200, 0, 0,
    ]);
  });
});

describe('decodeCommand', () => {
  it('reads motor bytes 1..127 as up and 128..255 as down', () => {
    for (const b of [1, 5, 127])
      expect(decodeCommand(bytes(1, b, 0, 0))).toEqual({ type: 'motor', dir: 'up' });
    for (const b of [128, 200, 255]) {
      expect(decodeCommand(bytes(1, b, 0, 0))).toEqual({ type: 'motor', dir: 'down' });
    }
  });

  it('returns typed errors for every kind of bad frame', () => {
    const code = (frame: Uint8Array, floors?: number): string => {
      const r = decodeCommand(frame, floors);
      return isFrameError(r) ? r.code : 'ok';
    };
    expect(code(bytes(7, 0, 0))).toBe('frame-length');
    expect(code(bytes(7, 0, 0, 0, 0))).toBe('frame-length');
    expect(code(bytes(10, 0, 0, 0))).toBe('unknown-command');
    expect(code(bytes(255, 0, 0, 0))).toBe('unknown-command');
    expect(code(bytes(2, 3, 0, 1))).toBe('bad-button');
    expect(code(bytes(6, 9, 0, 0))).toBe('bad-button');
    expect(code(bytes(2, 0, 4, 1), 4)).toBe('floor-out-of-range');
    expect(code(bytes(6, 2, 4, 0), 4)).toBe('floor-out-of-range');
    expect(code(bytes(3, 4, 0, 0), 4)).toBe('floor-out-of-range');
    expect(code(bytes(3, 3, 0, 0), 4)).toBe('ok');
    expect(code(bytes(2, 0, 0, 2))).toBe('bad-value');
    expect(code(bytes(4, 2, 0, 0))).toBe('bad-value');
    expect(code(bytes(5, 255, 0, 0))).toBe('bad-value');
  });

  it('error messages show the offending bytes', () => {
    const r = decodeCommand(bytes(2, 0, 9, 1), 4);
    expect(isFrameError(r) && r.message).toMatch(/floor 9 out of range 0\.\.3 \[02 00 09 01\]/);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 6 }),
        fc.integer({ min: 2, max: 20 }),
        (frame, floors) => {
          const r = decodeCommand(frame, floors);
          if (!isFrameError(r)) {
            // Whatever decodes, re-encodes to a frame that decodes to the same command.
            expect(decodeCommand(encodeCommand(r, floors), floors)).toEqual(r);
          }
        },
      ),
    );
  });
});

describe('replies', () => {
  it('round-trip', () => {
    const cases: [ElevatorReply, number[]][] = [
      [{ type: 'readButton', pressed: true }, [6, 1, 0, 0]],
      [{ type: 'readButton', pressed: false }, [6, 0, 0, 0]],
      [{ type: 'readFloor', floor: null }, [7, 0, 0, 0]],
      [{ type: 'readFloor', floor: 0 }, [7, 1, 0, 0]],
      [{ type: 'readFloor', floor: 3 }, [7, 1, 3, 0]],
      [{ type: 'readStop', pressed: true }, [8, 1, 0, 0]],
      [{ type: 'readObstruction', active: false }, [9, 0, 0, 0]],
    ];
    for (const [reply, frame] of cases) {
      expect(Array.from(encodeReply(reply))).toEqual(frame);
      expect(decodeReply(bytes(...frame), 4)).toEqual(reply);
    }
  });

  it('reject a reply to a write command, a short reply and a floor outside the building', () => {
    expect(isFrameError(decodeReply(bytes(1, 0, 0, 0)))).toBe(true);
    expect(isFrameError(decodeReply(bytes(7, 1, 0)))).toBe(true);
    const r = decodeReply(bytes(7, 1, 4, 0), 4);
    expect(isFrameError(r) && r.code).toBe('floor-out-of-range');
  });
});

describe('helpers', () => {
  it('isReadCommand tells reads from writes', () => {
    expect(isReadCommand({ type: 'readFloor' })).toBe(true);
    expect(isReadCommand({ type: 'readButton', button: 'cab', floor: 0 })).toBe(true);
    expect(isReadCommand({ type: 'doorLamp', on: true })).toBe(false);
    expect(isReadCommand({ type: 'reload' })).toBe(false);
  });

  it('buttonExists: no hall up at the top, no hall down at the bottom', () => {
    expect(buttonExists('hallUp', 3, 4)).toBe(false);
    expect(buttonExists('hallUp', 2, 4)).toBe(true);
    expect(buttonExists('hallDown', 0, 4)).toBe(false);
    expect(buttonExists('hallDown', 1, 4)).toBe(true);
    expect(buttonExists('cab', 0, 4)).toBe(true);
  });

  it('FrameSplitter reassembles frames split across and packed into chunks', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }),
        (data, cuts) => {
          const s = new FrameSplitter();
          const out: number[][] = [];
          let i = 0;
          let c = 0;
          while (i < data.length) {
            const n = cuts[c++ % cuts.length] ?? 1;
            for (const f of s.push(data.slice(i, i + n))) out.push(Array.from(f));
            i += n;
          }
          const whole = Math.floor(data.length / 4);
          expect(out).toHaveLength(whole);
          expect(out.flat()).toEqual(Array.from(data.slice(0, whole * 4)));
          expect(s.pendingBytes).toBe(data.length % 4);
        },
      ),
    );
  });
});
