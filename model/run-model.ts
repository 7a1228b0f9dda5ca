/**
 * `npm run test:model`: checks model/mesh.pml exhaustively with spin, then every mutant.
 *
 * For each run: spin -a (with the run's -D defines) and gcc pan.c in a fresh temporary directory,
 * then pan (a depth-first safety search, stopping at the first error). The real model must have no
 * error; each mutant must have one (a counterexample trail, replayed with spin -t and its last
 * steps printed). Prints states explored and time per run; exits 1 if any run disagrees.
 *
 * Deterministic: spin's search order is fixed, no random seed is used.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Run {
  name: string;
  defines: string[];
  /** 'clean': no error allowed; 'counterexample': spin must find one. */
  expect: 'clean' | 'counterexample';
  /** What the run shows (printed beside its figures). */
  what: string;
}

/** The real protocol: the 3-node building and the 2-node one (more faults fit in the latter). */
const REAL: Run[] = [
  {
    name: 'model, 3 nodes',
    defines: ['-DN=3', '-DCRASHES=1', '-DPRESS_H=2', '-DPRESS_C=1'],
    expect: 'clean',
    what: 'all properties',
  },
  {
    name: 'model, 2 nodes',
    defines: ['-DN=2', '-DCRASHES=2', '-DPRESS_H=2', '-DPRESS_C=1'],
    expect: 'clean',
    what: 'all properties',
  },
];

/** Each mutant breaks one rule; each must be rejected. Small bounds: a counterexample is near. */
const MUTANTS: Run[] = [
  [
    'CONFIRM_ALONE_WITNESS',
    'confirm before any peer holds the call',
    'no single failure loses a lit call',
  ],
  ['LIGHT_BEFORE_DISK', 'light before the disk write', 'persist before light'],
  [
    'MERGE_MIN',
    'the merge takes the minimum of the served mark',
    'no resurrection (merge only grows)',
  ],
  ['EPOCH_REUSE', 'a restart with an empty disk reuses instance numbers', 'unique instances'],
  ['CAB_ANY_SERVER', 'any car serves a cab call', 'cab call served by its own elevator'],
  ['SUSPECT_DROPS', "a node drops a suspected peer's calls", 'lamp off only after service'],
  [
    'NO_CAB_REBROADCAST',
    "peers do not re-send other elevators' cab calls",
    'lit cab call eventually served',
  ],
  [
    'NEVER_SYNC',
    'an empty-disk node never darkens lamps it did not light',
    'lamps agree after the faults',
  ],
].map(([define, broken, property]) => ({
  name: `mutant ${define}`,
  defines: ['-DN=2', '-DCRASHES=1', '-DPRESS_H=1', '-DPRESS_C=1', `-D${define}`],
  expect: 'counterexample' as const,
  what: `${broken} -> must break: ${property}`,
}));

const here = dirname(fileURLToPath(import.meta.url));
const model = join(here, 'mesh.pml');

interface Outcome {
  errors: number;
  states: number;
  seconds: number;
  detail: string;
}

function check(run: Run): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-model-'));
  try {
    copyFileSync(model, join(dir, 'mesh.pml'));
    const opts = { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
    execFileSync('spin', ['-a', ...run.defines, 'mesh.pml'], opts);
    execFileSync(
      'gcc',
      ['-O2', '-DSAFETY', '-DCOLLAPSE', '-DMEMLIM=8000', '-o', 'pan', 'pan.c'],
      opts,
    );
    const started = process.hrtime.bigint();
    const pan = spawnSync('./pan', ['-m2000000', '-w24'], { cwd: dir, encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const out = pan.stdout + pan.stderr;
    const errors = Number(/errors: (\d+)/.exec(out)?.[1] ?? NaN);
    const states = Number(/(\d+) states, stored/.exec(out)?.[1] ?? NaN);
    if (Number.isNaN(errors) || Number.isNaN(states)) throw new Error(`pan said:\n${out}`);
    if (out.includes('max search depth too small'))
      throw new Error(`search depth exceeded: raise -m\n${out}`);
    let detail = '';
    if (errors > 0) {
      const assertion = /pan:\d+: (.*) \(at depth (\d+)\)/.exec(out);
      detail = assertion ? `${assertion[1]} at depth ${assertion[2]}` : 'error';
      const trail = spawnSync('spin', ['-t', '-B', ...run.defines, 'mesh.pml'], {
        cwd: dir,
        encoding: 'utf8',
      });
      const violated = /spin: .*?mesh\.pml:(\d+), Error: (.*)/.exec(trail.stdout + trail.stderr);
      if (violated) detail += `; line ${violated[1]}: ${violated[2]}`;
    }
    return { errors, states, seconds, detail };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let failed = 0;
const all = [...REAL, ...MUTANTS];
const started = Date.now();
for (const run of all) {
  const r = check(run);
  const ok = run.expect === 'clean' ? r.errors === 0 : r.errors > 0;
  if (!ok) failed++;
  const verdict =
    run.expect === 'clean'
      ? ok
        ? 'no error'
        : `ERROR (${r.detail})`
      : ok
        ? `rejected (${r.detail})`
        : 'NOT REJECTED';
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${run.name.padEnd(32)} ${String(r.states).padStart(10)} states ${r.seconds.toFixed(1).padStart(7)} s  ${verdict}`,
  );
  console.log(`     ${run.what}`);
}
console.log(
  `model: ${all.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(failed === 0 ? 0 : 1);
