import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function bench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench', ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('elevator-mesh bench', () => {
  it('runs a small benchmark and writes the table, JSON and SVG', () => {
    const r = bench([
      '--sizes',
      '2x4',
      '--patterns',
      'lunch,up-peak',
      '--intensities',
      '0.5',
      '--seeds',
      '3',
      '--duration',
      '3',
      '--warmup',
      '0.5',
      '--assigners',
      'reference,mesh,mesh+park',
      '--no-progress',
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2x4 lunch\s+reference/);
    expect(r.stdout).toMatch(/lower bound/);
    // The ratio to the offline optimum, on the same seeds and patterns, 2-minute traces.
    expect(r.stdout).toMatch(/Ratio to the offline optimum/);
    expect(r.stdout).toMatch(/2x4: \d of 2 traces solved exactly/);
    const optimum = JSON.parse(readFileSync(join(out, 'optimum.json'), 'utf8')) as {
      summaries: { assigner: string; meanRatio: number; exact: number }[];
    };
    expect(optimum.summaries.map((x) => x.assigner)).toEqual(['reference', 'mesh', 'mesh+park']);
    for (const x of optimum.summaries)
      if (x.exact > 0) expect(x.meanRatio).toBeGreaterThanOrEqual(1);
    const json = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as {
      cells: { assigner: string; avgWaitVsReference: number }[];
      runs: unknown[];
    };
    expect(json.runs).toHaveLength(6);
    expect(
      json.cells.filter((c) => c.assigner === 'reference').map((c) => c.avgWaitVsReference),
    ).toEqual([1, 1]);
    const svg = readFileSync(join(out, 'wait-distribution.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('mesh+park');
    expect(svg.match(/<polyline/g)).toHaveLength(6);
    // One size, three strategies: three points (and three legend dots).
    const energy = readFileSync(join(out, 'wait-vs-floors.svg'), 'utf8');
    expect(energy.match(/<circle[^>]*><title>/g)).toHaveLength(3);
    expect(energy).toContain('2x4: avg wait against floors travelled');
  });

  it('rejects an unknown assigner with exit code 2', () => {
    const r = bench(['--assigners', 'nope', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown assigner "nope"');
  });
});
