import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadGoldenCases } from '../src/testing/assigner-golden.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

function runAssign(
  args: string[],
  stdin: string,
): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'assign', ...args], {
    cwd: repo,
    input: stdin,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('elevator-mesh assign', () => {
  it('answers golden cases like the reference, for every option set', () => {
    // One case per distinct option set keeps the process count small.
    const seen = new Set<string>();
    const sample = loadGoldenCases().filter((c) => {
      const key = c.options.join(' ');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    expect(sample.length).toBeGreaterThanOrEqual(4);
    for (const c of sample) {
      const r = runAssign(c.options, JSON.stringify(c.input));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual(c.output);
    }
  });

  it('bad input: message on stderr, exit code 2', () => {
    const notJson = runAssign([], '{"hallRequests": ');
    expect(notJson.code).toBe(2);
    expect(notJson.out).toBe('');
    expect(notJson.err).toMatch(/assigner-input-not-json/);
    const invalid = runAssign(
      [],
      JSON.stringify({
        hallRequests: [[false, false]],
        states: { a: { behaviour: 'idle', floor: 4, direction: 'stop', cabRequests: [false] } },
      }),
    );
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/states\.a\.floor: floor 4 is outside/);
  });

  it('bad options: exit code 2', () => {
    expect(runAssign(['--clearRequestType', 'some'], '{}').code).toBe(2);
    expect(runAssign(['--travelDuration', '-5'], '{}').code).toBe(2);
    expect(runAssign(['--assigner', 'nope'], '{}').code).toBe(2);
  });

  it('--assigner picks another assigner', () => {
    const input = {
      hallRequests: [
        [false, false],
        [false, false],
        [true, false],
      ],
      states: {
        a: { behaviour: 'idle', floor: 0, direction: 'stop', cabRequests: [false, false, false] },
        b: { behaviour: 'moving', floor: 1, direction: 'down', cabRequests: [true, false, false] },
      },
    };
    const r = runAssign(['--assigner', 'nearest-car', '--includeCab'], JSON.stringify(input));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      a: [
        [false, false, false],
        [false, false, false],
        [false, false, false],
      ],
      b: [
        [false, false, true],
        [false, false, false],
        [true, false, false],
      ],
    });
  });
});
